// One fake JSON-RPC provider on a real socket: answers from a shared ChainSim and shows injected faults.
// It is the floor of every benchmark, so the happy path stays lean: no logging, one string per reply.

import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ChainSim } from './chain-sim.js';
import {
  activeFault,
  type Fault,
  type LeafFault,
  NO_FAULT,
  prepareFault,
  refuseFlapPeriods,
} from './faults.js';
import { logMatches, parseLogMatcher } from './log-filter.js';
import { sha256Hex, toQuantity } from './sim-hex.js';
import { type SubscriptionCall, WsEndpoint, type WsHost } from './ws-endpoint.js';

interface RpcCall {
  method: string;
  params: unknown[];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcOutcome = { result: unknown } | { error: RpcErrorObject };

/** Consulted before the built-in methods; undefined falls through to them. */
export type RpcHandler = (req: RpcCall) => RpcOutcome | undefined;

/** A whole HTTP answer: status and body text (an empty body for a notification-only request). */
export interface WireAnswer {
  status: number;
  body: string;
}

/**
 * Answers a parsed JSON body in place of the built-in EVM methods: another chain family with its own
 * envelope and HTTP statuses (Bitcoin Core 1.0 answers errors with HTTP 500).
 */
export type WireAnswerer = (parsed: unknown) => WireAnswer;

export interface FakeProviderOptions {
  name: string;
  chain: ChainSim;
  host?: string | undefined;
  port?: number | undefined;
  /** Delay before each answer (simulated network + node time); 0 answers synchronously. */
  latencyMs?: number | (() => number) | undefined;
  fault?: Fault | undefined;
  handler?: RpcHandler | undefined;
  /**
   * Replaces the EVM answers (and handler) over HTTP. Socket-level faults (refuse, hang, reset, slow,
   * http_status, garbage, throttle, truncated) still apply; stale_head and wrong_chain are EVM views
   * the answerer does not see: family nodes have their own conditions (behind, syncing).
   */
  wire?: WireAnswerer | undefined;
  /**
   * Also serve WebSocket on the same port (upgrade at any path): every JSON-RPC call, plus geth-style
   * eth_subscribe. Off by default: the HTTP-only provider stays exactly as lean as before.
   */
  ws?: boolean | undefined;
}

interface ProviderStats {
  /** JSON-RPC calls received (each batch element counts); malformed bodies count none. */
  requests: number;
  httpRequests: number;
  /** JSON-RPC calls received over WebSocket (each batch element counts; also counted in requests). */
  wsCalls: number;
  /** WebSocket connections accepted. */
  wsConnections: number;
  byMethod: Map<string, number>;
  reset(): void;
}

export interface FakeProvider {
  readonly name: string;
  readonly url: string;
  /** ws://host:port/ when started with ws: true, else undefined. */
  readonly wsUrl: string | undefined;
  readonly port: number;
  readonly fault: Fault;
  readonly stats: ProviderStats;
  /** Client connections open right now (tests check that a client released them all). */
  readonly openConnections: number;
  setFault(fault: Fault): Promise<void>;
  /** Called for every JSON-RPC call received; atMs is epoch milliseconds with sub-ms precision. */
  onRequest(listener: (method: string, atMs: number) => void): void;
  /** Ends every WebSocket connection abruptly (no close frame); new connections are accepted. */
  dropWebSockets(): void;
  /** WebSocket connections open now. */
  webSocketCount(): number;
  close(): Promise<void>;
}

/** The head and chain id a provider claims; faults can make it differ from the real chain. */
interface ChainView {
  head: number;
  chainId: number;
}

const GARBAGE_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';
const ALCHEMY_429 =
  'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can ' +
  'safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput';
const HEX_RE = /^0x[0-9a-fA-F]+$/;
// The widest eth_getLogs range served, like providers' 10k-block limits; keeps each call bounded.
const MAX_LOG_RANGE = 10_000;

function errorJson(idJson: string, code: number, message: string, data?: unknown): string {
  const dataPart = data === undefined ? '' : `,"data":${JSON.stringify(data)}`;
  const error = `{"code":${code},"message":${JSON.stringify(message)}${dataPart}}`;
  return `{"jsonrpc":"2.0","id":${idJson},"error":${error}}`;
}

function outcomeJson(idJson: string, outcome: RpcOutcome): string {
  if ('error' in outcome) {
    const { code, message, data } = outcome.error;
    return errorJson(idJson, code, message, data);
  }
  return `{"jsonrpc":"2.0","id":${idJson},"result":${JSON.stringify(outcome.result) ?? 'null'}}`;
}

function invalidParams(message: string): RpcOutcome {
  return { error: { code: -32602, message: `invalid params: ${message}` } };
}

/** Block tag or hex number -> block number; undefined when the tag is not understood. */
function resolveBlockTag(tag: unknown, head: number): number | undefined {
  switch (tag) {
    case undefined:
    case 'latest':
    case 'pending':
      return head;
    case 'earliest':
      return 0;
    case 'safe':
      return Math.max(0, head - 32);
    case 'finalized':
      return Math.max(0, head - 64);
    default:
      return typeof tag === 'string' && HEX_RE.test(tag) ? Number.parseInt(tag, 16) : undefined;
  }
}

function addressParam(value: unknown): string | undefined {
  return typeof value === 'string' && HEX_RE.test(value) ? value.toLowerCase() : undefined;
}

/** Deterministic small integer per key, so every provider of a fleet agrees. */
function hashedQuantity(key: string, hexDigits: number): string {
  return toQuantity(BigInt(`0x${sha256Hex(key).slice(0, hexDigits)}`));
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

class FakeProviderImpl implements FakeProvider {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly stats: ProviderStats;
  readonly chain: ChainSim;
  private readonly ws: WsEndpoint | undefined;
  private readonly host: string;
  private readonly server: Server;
  private readonly handler: RpcHandler | undefined;
  private readonly wire: WireAnswerer | undefined;
  private readonly latency: number | (() => number);
  private readonly sockets = new Set<Socket>();
  private readonly listeners: Array<(method: string, atMs: number) => void> = [];
  private readonly random: () => number;
  private currentFault: Fault = NO_FAULT;
  private faultSetAt = 0;
  private seq = 0;
  private listening = true;
  private closed = false;
  // Serializes close/re-listen of the port so flapping timers and setFault never race.
  private portOps: Promise<void> = Promise.resolve();
  private flapTimer: NodeJS.Timeout | undefined;

  constructor(opts: FakeProviderOptions, server: Server, host: string, port: number) {
    this.name = opts.name;
    this.chain = opts.chain;
    this.handler = opts.handler;
    this.wire = opts.wire;
    this.latency = opts.latencyMs ?? 0;
    this.server = server;
    this.host = host;
    this.port = port;
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.url = `http://${hostPort}/`;
    this.wsUrl = opts.ws ? `ws://${hostPort}/` : undefined;
    this.random = mulberry32(Number.parseInt(sha256Hex(opts.name).slice(0, 8), 16));
    const stats: ProviderStats = {
      requests: 0,
      httpRequests: 0,
      wsCalls: 0,
      wsConnections: 0,
      byMethod: new Map(),
      reset: () => {
        stats.requests = 0;
        stats.httpRequests = 0;
        stats.wsCalls = 0;
        stats.wsConnections = 0;
        stats.byMethod.clear();
      },
    };
    this.stats = stats;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onHttpRequest(req, res));
    this.ws = opts.ws ? new WsEndpoint(this.wsHost()) : undefined;
    if (this.ws) {
      const ws = this.ws;
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        ws.handleUpgrade(req, socket, head);
      });
    }
  }

  dropWebSockets(): void {
    this.ws?.dropAll();
  }

  webSocketCount(): number {
    return this.ws?.openConnections ?? 0;
  }

  /** The provider's answers and faults as the WebSocket endpoint sees them. */
  private wsHost(): WsHost {
    return {
      chain: this.chain,
      leafFault: (perCall: boolean): LeafFault => {
        const fault = this.currentFault;
        if (fault.kind === 'none') return NO_FAULT;
        return activeFault(fault, performance.now() - this.faultSetAt, perCall ? this.seq++ : null);
      },
      delayMs: (leaf: LeafFault) => this.delayMs(leaf),
      reply: (text: string, leaf: LeafFault, subscriptions: SubscriptionCall) =>
        this.wsReply(text, leaf, subscriptions),
      countWsFrame: (text: string) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        const before = this.stats.requests;
        this.record(parsed);
        this.stats.wsCalls += this.stats.requests - before;
      },
      onAccepted: () => {
        this.stats.wsConnections++;
      },
    };
  }

  /**
   * The frame answering one WebSocket frame under a fault. HTTP-only faults (http_status) do not
   * change answers on an open socket; throttle answers JSON-RPC errors, garbage and truncated send a
   * broken frame, hang/refuse/reset are handled by the endpoint before this.
   */
  private wsReply(text: string, leaf: LeafFault, subscriptions: SubscriptionCall): string | undefined {
    let parsed: unknown;
    let parseFailed = false;
    try {
      parsed = JSON.parse(text);
    } catch {
      parseFailed = true;
    }
    switch (leaf.kind) {
      case 'garbage':
        return GARBAGE_BODY;
      case 'throttle': {
        const [code, message] = leaf.style === 'rpc-32005' ? [-32005, 'limit exceeded'] : [429, ALCHEMY_429];
        return this.replyAll(parsed, parseFailed, (idJson) => errorJson(idJson, code, message));
      }
      default: {
        const full = parseFailed
          ? errorJson('null', -32700, 'parse error')
          : this.dispatch(parsed, this.viewOf(leaf), subscriptions);
        return leaf.kind === 'truncated' ? full.slice(0, full.length >> 1) : full;
      }
    }
  }

  private viewOf(leaf: LeafFault): ChainView {
    return {
      head:
        leaf.kind === 'stale_head'
          ? Math.min(leaf.frozenAt ?? this.chain.head, this.chain.head)
          : this.chain.head,
      chainId: leaf.kind === 'wrong_chain' ? leaf.chainId : this.chain.chainId,
    };
  }

  get fault(): Fault {
    return this.currentFault;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  onRequest(listener: (method: string, atMs: number) => void): void {
    this.listeners.push(listener);
  }

  async setFault(fault: Fault): Promise<void> {
    if (this.closed) return;
    this.currentFault = prepareFault(fault, this.chain.head);
    this.faultSetAt = performance.now();
    this.seq = 0;
    if (this.flapTimer) clearTimeout(this.flapTimer);
    this.flapTimer = undefined;
    const periods = refuseFlapPeriods(this.currentFault);
    if (periods.length > 0) this.scheduleFlap(periods);
    await this.syncListening();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flapTimer) clearTimeout(this.flapTimer);
    this.ws?.close();
    await this.portOps.catch(() => {});
    if (this.listening) await this.unlisten();
  }

  /**
   * A flapping refusal opens and closes the real port at each period boundary. Timers may fire a little
   * before performance.now() reaches the boundary, so each firing re-aims at the next boundary (+1 ms)
   * instead of trusting a fixed interval. A failed re-listen (port taken meanwhile) leaves the provider
   * refusing, which is what a client would see anyway.
   */
  private scheduleFlap(periods: number[]): void {
    const elapsed = performance.now() - this.faultSetAt;
    let next = Number.POSITIVE_INFINITY;
    for (const period of periods) next = Math.min(next, (Math.floor(elapsed / period) + 1) * period);
    this.flapTimer = setTimeout(
      () => {
        void this.syncListening().catch(() => {});
        this.scheduleFlap(periods);
      },
      next - elapsed + 1,
    );
    this.flapTimer.unref();
  }

  private syncListening(): Promise<void> {
    const op = this.portOps.then(() => {
      if (this.closed) return;
      const want =
        activeFault(this.currentFault, performance.now() - this.faultSetAt, null).kind !== 'refuse';
      if (want && !this.listening) return this.relisten();
      if (!want && this.listening) return this.unlisten();
      return undefined;
    });
    this.portOps = op.catch(() => {});
    return op;
  }

  private unlisten(): Promise<void> {
    this.listening = false;
    return new Promise((resolve) => {
      // The extra turn lets in-process clients see the FIN of their pooled sockets before the caller's
      // next request, so "refused" reliably means ECONNREFUSED rather than a closed pooled socket.
      this.server.close(() => setImmediate(resolve));
      // close() waits for open connections; hung and keep-alive ones must go now.
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  private relisten(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve();
      });
    });
  }

  private delayMs(leaf: LeafFault): number {
    let ms = typeof this.latency === 'number' ? this.latency : this.latency();
    if (leaf.kind === 'slow') ms += leaf.extraMs + (leaf.jitterMs ? this.random() * leaf.jitterMs : 0);
    return ms;
  }

  private onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stats.httpRequests++;
    const fault = this.currentFault;
    const leaf =
      fault.kind === 'none' ? NO_FAULT : activeFault(fault, performance.now() - this.faultSetAt, this.seq);
    this.seq++;
    if (leaf.kind === 'refuse') {
      // Only reachable in the instant between deciding to refuse and the port closing.
      req.socket.resetAndDestroy();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => this.answer(body, leaf, res));
  }

  private answer(body: string, leaf: LeafFault, res: ServerResponse): void {
    let parsed: unknown;
    let parseFailed = false;
    try {
      parsed = JSON.parse(body);
    } catch {
      parseFailed = true;
    }
    if (!parseFailed) this.record(parsed);

    switch (leaf.kind) {
      case 'hang':
        return; // the socket stays open until the client gives up or close() destroys it
      case 'reset':
        this.later(this.delayMs(leaf), () => res.socket?.resetAndDestroy());
        return;
      case 'http_status': {
        const text = leaf.body ?? `${leaf.status} ${STATUS_CODES[leaf.status] ?? ''}`;
        this.send(res, leaf.status, text, leaf.contentType ?? 'text/plain', leaf);
        return;
      }
      case 'garbage':
        this.send(res, 200, GARBAGE_BODY, 'application/json', leaf);
        return;
      case 'throttle': {
        const style = leaf.style ?? 'http429';
        const [code, message] = style === 'rpc-32005' ? [-32005, 'limit exceeded'] : [429, ALCHEMY_429];
        const data = leaf.retryAfterSec === undefined ? undefined : { backoff_seconds: leaf.retryAfterSec };
        const text = this.replyAll(parsed, parseFailed, (idJson) => errorJson(idJson, code, message, data));
        const retryAfter = leaf.retryAfterSec ?? (style === 'http429' ? 1 : undefined);
        this.send(res, style === 'http429' ? 429 : 200, text, 'application/json', leaf, retryAfter);
        return;
      }
      default: {
        const wired = this.wire && !parseFailed ? this.wire(parsed) : undefined;
        const status = wired?.status ?? 200;
        const text =
          wired?.body ??
          (parseFailed ? errorJson('null', -32700, 'parse error') : this.dispatch(parsed, this.viewOf(leaf)));
        if (leaf.kind === 'truncated') {
          const bytes = Buffer.from(text);
          this.send(res, status, bytes.subarray(0, bytes.length >> 1), 'application/json', leaf);
          return;
        }
        this.send(res, status, text, 'application/json', leaf);
      }
    }
  }

  /** Counts calls and tells listeners; runs for every parsed body whatever the fault. */
  private record(parsed: unknown): void {
    const items = Array.isArray(parsed) ? parsed : [parsed];
    const at = this.listeners.length > 0 ? epochMs() : 0;
    for (const item of items) {
      this.stats.requests++;
      const method =
        typeof item === 'object' && item !== null ? (item as { method?: unknown }).method : undefined;
      if (typeof method !== 'string') continue;
      const byMethod = this.stats.byMethod;
      byMethod.set(method, (byMethod.get(method) ?? 0) + 1);
      for (const listener of this.listeners) listener(method, at);
    }
  }

  /** One reply per call with an id (same shape as the request), e.g. for rate-limit errors. */
  private replyAll(parsed: unknown, parseFailed: boolean, reply: (idJson: string) => string): string {
    if (parseFailed) return reply('null');
    if (!Array.isArray(parsed)) return reply(idJsonOf(parsed) ?? 'null');
    const parts: string[] = [];
    for (const item of parsed) parts.push(reply(idJsonOf(item) ?? 'null'));
    return `[${parts.join(',')}]`;
  }

  private dispatch(parsed: unknown, view: ChainView, subscriptions?: SubscriptionCall): string {
    if (!Array.isArray(parsed)) return this.callJson(parsed, view, subscriptions) ?? '';
    if (parsed.length === 0) return errorJson('null', -32600, 'empty batch');
    const parts: string[] = [];
    for (const item of parsed) {
      const part = this.callJson(item, view, subscriptions);
      if (part !== undefined) parts.push(part);
    }
    // A batch of notifications only gets no body at all (JSON-RPC 2.0 section 6).
    return parts.length === 0 ? '' : `[${parts.join(',')}]`;
  }

  /** The reply to one call, or undefined for a notification. */
  private callJson(item: unknown, view: ChainView, subscriptions?: SubscriptionCall): string | undefined {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return errorJson('null', -32600, 'invalid request');
    }
    const call = item as { id?: unknown; method?: unknown; params?: unknown };
    const hasId = 'id' in call;
    const idJson = idJsonOf(call);
    if (hasId && idJson === undefined) return errorJson('null', -32600, 'invalid request id');
    if (typeof call.method !== 'string') return errorJson(idJson ?? 'null', -32600, 'invalid request');
    const params = Array.isArray(call.params) ? call.params : [];
    const outcome = subscriptions?.(call.method, params) ?? this.call(call.method, params, view);
    return hasId ? outcomeJson(idJson!, outcome) : undefined;
  }

  private call(method: string, params: unknown[], view: ChainView): RpcOutcome {
    if (this.handler) {
      const custom = this.handler({ method, params });
      if (custom !== undefined) return custom;
    }
    const chain = this.chain;
    switch (method) {
      case 'eth_chainId':
        return { result: toQuantity(view.chainId) };
      case 'net_version':
        return { result: String(view.chainId) };
      // geth, erigon and hosted providers answer true; viem's fallback ranking pings with it.
      case 'net_listening':
        return { result: true };
      case 'eth_blockNumber':
        return { result: toQuantity(view.head) };
      case 'eth_getBlockByNumber': {
        const n = resolveBlockTag(params[0], view.head);
        if (n === undefined) return invalidParams('bad block tag');
        return { result: n > view.head ? null : chain.block(n, params[1] === true) };
      }
      case 'eth_getBlockByHash': {
        if (typeof params[0] !== 'string') return invalidParams('bad block hash');
        // Orphaned blocks stay retrievable by hash, as geth keeps side-chain blocks.
        const known = chain.knownBlock(params[0]);
        if (known === undefined || known.number > view.head) return { result: null };
        return { result: chain.blockByHash(params[0], params[1] === true) };
      }
      case 'eth_getBalance': {
        const address = addressParam(params[0]);
        if (!address) return invalidParams('bad address');
        return { result: hashedQuantity(`balance:${address}`, 15) };
      }
      case 'eth_getTransactionCount': {
        const address = addressParam(params[0]);
        if (!address) return invalidParams('bad address');
        return { result: hashedQuantity(`nonce:${address}`, 3) };
      }
      case 'eth_call': {
        const tx = params[0] as { to?: unknown; data?: unknown; input?: unknown } | undefined;
        if (typeof tx !== 'object' || tx === null) return invalidParams('missing call object');
        return { result: `0x${sha256Hex(`call:${String(tx.to)}:${String(tx.data ?? tx.input ?? '0x')}`)}` };
      }
      case 'eth_estimateGas': {
        const tx = params[0] as { data?: unknown; input?: unknown } | undefined;
        const data = tx?.data ?? tx?.input;
        const dataBytes = typeof data === 'string' ? Math.max(0, (data.length - 2) >> 1) : 0;
        return { result: toQuantity(21000 + 16 * dataBytes) };
      }
      case 'eth_gasPrice':
        return { result: '0x3b9aca00' };
      case 'eth_maxPriorityFeePerGas':
        return { result: '0x5f5e100' };
      case 'eth_getCode':
        return { result: '0x' };
      case 'eth_sendRawTransaction': {
        const raw = params[0];
        if (typeof raw !== 'string' || !HEX_RE.test(raw)) return invalidParams('bad raw transaction');
        const { hash, alreadyKnown } = chain.sendRawTransaction(raw);
        return alreadyKnown ? { error: { code: -32000, message: 'already known' } } : { result: hash };
      }
      case 'eth_getTransactionByHash':
        return { result: typeof params[0] === 'string' ? chain.transaction(params[0]) : null };
      case 'eth_getTransactionReceipt':
        return { result: typeof params[0] === 'string' ? chain.receipt(params[0]) : null };
      case 'eth_getLogs':
        return this.getLogs(params[0], view);
      case 'eth_syncing':
        return { result: false };
      case 'web3_clientVersion':
        return { result: `FakeProvider/v1.0.0/${this.name}` };
      default:
        return { error: { code: -32601, message: `the method ${method} does not exist/is not available` } };
    }
  }

  /** eth_getLogs per the spec: {blockHash} or {fromBlock, toBlock}, with address and topics filters. */
  private getLogs(filter: unknown, view: ChainView): RpcOutcome {
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
      return invalidParams('missing filter object');
    }
    const f = filter as { blockHash?: unknown; fromBlock?: unknown; toBlock?: unknown };
    const matcher = parseLogMatcher(filter as { address?: unknown; topics?: unknown });
    if (typeof matcher === 'string') return invalidParams(matcher);
    const chain = this.chain;
    let logs: ReturnType<ChainSim['canonicalLogs']>;
    if (f.blockHash !== undefined) {
      if (f.fromBlock !== undefined || f.toBlock !== undefined) {
        return invalidParams('cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other');
      }
      if (typeof f.blockHash !== 'string') return invalidParams('bad block hash');
      const known = chain.knownBlock(f.blockHash);
      if (known === undefined || known.number > view.head) {
        return { error: { code: -32000, message: 'unknown block' } };
      }
      logs = chain.logsOfHash(f.blockHash) ?? [];
    } else {
      const from = resolveBlockTag(f.fromBlock, view.head);
      const to = resolveBlockTag(f.toBlock, view.head);
      if (from === undefined || to === undefined) return invalidParams('bad block tag');
      if (from > to) return { error: { code: -32000, message: 'invalid block range params' } };
      // Beyond the head there is nothing yet (answered [], as anvil and geth do); the cap bounds the loop.
      const last = Math.min(to, view.head);
      if (last - from > MAX_LOG_RANGE) {
        return { error: { code: -32005, message: `query exceeds max block range ${MAX_LOG_RANGE}` } };
      }
      logs = chain.canonicalLogs(from, last);
    }
    return { result: logs.filter((log) => logMatches(log, matcher)) };
  }

  private send(
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    contentType: string,
    leaf: LeafFault,
    retryAfterSec?: number,
  ): void {
    this.later(this.delayMs(leaf), () => {
      if (res.destroyed) return;
      const headers: Record<string, string | number> = {
        'content-type': contentType,
        'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
      };
      if (retryAfterSec !== undefined) headers['retry-after'] = String(retryAfterSec);
      res.writeHead(status, headers);
      res.end(body);
    });
  }

  private later(ms: number, fn: () => void): void {
    if (ms > 0) setTimeout(fn, ms);
    else fn();
  }
}

/** The id of a call as JSON text; undefined when absent or not a valid JSON-RPC id. */
function idJsonOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const id = (item as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number' || id === null) return JSON.stringify(id);
  return undefined;
}

export async function startFakeProvider(opts: FakeProviderOptions): Promise<FakeProvider> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer({ noDelay: true });
  // Longer than any client's idle timeout (undici: 4 s) so the client, not us, closes idle sockets.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 20_000;
  // A hung request must stay hung; Node's default would answer 408 after 300 s.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake provider: no TCP address');
  const provider = new FakeProviderImpl(opts, server, host, address.port);
  if (opts.fault) await provider.setFault(opts.fault);
  return provider;
}
