// One fake JSON-RPC provider on a real socket: answers from a shared ChainSim and shows injected faults.
// It is the floor of every benchmark, so the happy path stays lean: no logging, one string per reply.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChainSim } from './chain-sim.js';
import { answerEvmCall, type ChainView, chainViewUnder } from './evm-methods.js';
import { type Answering, answerHttp, answerWsFrame } from './fault-answers.js';
import {
  activeFault,
  type Fault,
  type LeafFault,
  NO_FAULT,
  prepareFault,
  refuseFlapPeriods,
  type ThrottleStyle,
} from './faults.js';
import { ProviderPort } from './provider-port.js';
import { RateWindow } from './rate-window.js';
import { answerBody, type RpcCall, type RpcOutcome, type WireAnswerer } from './rpc-envelope.js';
import { sha256Hex } from './sim-hex.js';
import { type SubscriptionCall, WsEndpoint, type WsHost } from './ws-endpoint.js';

/** Consulted before the built-in methods; undefined falls through to them. */
export type RpcHandler = (req: RpcCall) => RpcOutcome | undefined;

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
  /**
   * A provider's rate limit: more than `perSecond` HTTP requests in any second are throttled (in
   * `style`, rpc-32005 by default: no Retry-After), whatever the fault.
   */
  throttleAbove?: { perSecond: number; style?: ThrottleStyle } | undefined;
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
  /** HTTP requests admitted and throttled by `throttleAbove` (undefined without it). */
  readonly rateWindow: RateWindow | undefined;
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
  readonly rateWindow: RateWindow | undefined;
  private readonly throttleStyle: ThrottleStyle;
  private readonly ws: WsEndpoint | undefined;
  private readonly tcp: ProviderPort;
  private readonly handler: RpcHandler | undefined;
  private readonly latency: number | (() => number);
  private readonly listeners: Array<(method: string, atMs: number) => void> = [];
  private readonly random: () => number;
  /** This provider as the fault answers (fault-answers.ts) see it. */
  private readonly answering: Answering;
  private currentFault: Fault = NO_FAULT;
  private faultSetAt = 0;
  private seq = 0;
  private closed = false;

  constructor(opts: FakeProviderOptions, server: Server, host: string, port: number) {
    this.name = opts.name;
    this.chain = opts.chain;
    this.handler = opts.handler;
    this.rateWindow = opts.throttleAbove && new RateWindow(opts.throttleAbove.perSecond);
    this.throttleStyle = opts.throttleAbove?.style ?? 'rpc-32005';
    this.latency = opts.latencyMs ?? 0;
    this.port = port;
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.url = `http://${hostPort}/`;
    this.wsUrl = opts.ws ? `ws://${hostPort}/` : undefined;
    this.random = mulberry32(Number.parseInt(sha256Hex(opts.name).slice(0, 8), 16));
    this.answering = {
      dispatch: (parsed, leaf, subscriptions) =>
        this.dispatch(parsed, chainViewUnder(leaf, this.chain), subscriptions),
      delayMs: (leaf) => this.delayMs(leaf),
      wire: opts.wire,
    };
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
    this.tcp = new ProviderPort(
      server,
      host,
      port,
      () => activeFault(this.currentFault, performance.now() - this.faultSetAt, null).kind === 'refuse',
    );
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
        answerWsFrame(this.answering, text, leaf, subscriptions),
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

  get fault(): Fault {
    return this.currentFault;
  }

  get openConnections(): number {
    return this.tcp.openConnections;
  }

  onRequest(listener: (method: string, atMs: number) => void): void {
    this.listeners.push(listener);
  }

  async setFault(fault: Fault): Promise<void> {
    if (this.closed) return;
    this.currentFault = prepareFault(fault, this.chain.head);
    this.faultSetAt = performance.now();
    this.seq = 0;
    // Refusals close the real port (provider-port.ts); flapping ones open and close it on time.
    await this.tcp.follow(refuseFlapPeriods(this.currentFault), this.faultSetAt);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tcp.stopFlapping();
    this.ws?.close();
    await this.tcp.close();
  }

  private delayMs(leaf: LeafFault): number {
    let ms = typeof this.latency === 'number' ? this.latency : this.latency();
    if (leaf.kind === 'slow') ms += leaf.extraMs + (leaf.jitterMs ? this.random() * leaf.jitterMs : 0);
    return ms;
  }

  private onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stats.httpRequests++;
    const fault = this.currentFault;
    let leaf =
      fault.kind === 'none' ? NO_FAULT : activeFault(fault, performance.now() - this.faultSetAt, this.seq);
    this.seq++;
    if (this.rateWindow && leaf.kind === 'none' && !this.rateWindow.admit(performance.now()))
      leaf = { kind: 'throttle', style: this.throttleStyle };
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
    answerHttp(this.answering, parsed, parseFailed, leaf, res);
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

  /** The reply text to a parsed body (rpc-envelope.ts); WebSocket subscription calls come first. */
  private dispatch(parsed: unknown, view: ChainView, subscriptions?: SubscriptionCall): string {
    return answerBody(
      parsed,
      (method, params) => subscriptions?.(method, params) ?? this.call(method, params, view),
    );
  }

  private call(method: string, params: unknown[], view: ChainView): RpcOutcome {
    if (this.handler) {
      const custom = this.handler({ method, params });
      if (custom !== undefined) return custom;
    }
    return answerEvmCall(this.chain, this.name, method, params, view);
  }
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
