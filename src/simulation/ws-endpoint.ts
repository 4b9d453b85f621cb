// The WebSocket side of one fake provider (opt-in): upgrades on the provider's own port at any path,
// JSON-RPC over text frames, and geth-style eth_subscribe feeds (newHeads, logs, newPendingTransactions)
// driven by the shared chain's events. Faults shape it as an outage would look to a WebSocket client:
// refuse closes every socket and the port, hang goes silent (no answers, notifications or pongs),
// slow delays everything in order. The provider decides the JSON-RPC answers (shared with HTTP).

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { BlockRef, ChainEvent, ChainSim } from './chain-sim.js';
import type { LeafFault } from './faults.js';
import { type LogMatcher, logMatches, parseLogMatcher } from './log-filter.js';
import type { SimLog } from './sim-logs.js';

export type SubscriptionCall = (method: string, params: unknown[]) => WsOutcome | undefined;
type WsOutcome = { result: unknown } | { error: { code: number; message: string } };

/** What the endpoint needs from its provider. */
export interface WsHost {
  readonly chain: ChainSim;
  /** The leaf fault now: per call (counts toward error_rate) or for the connection as a whole. */
  leafFault(perCall: boolean): LeafFault;
  delayMs(leaf: LeafFault): number;
  /** The reply frame to one received frame (undefined: nothing to send); `subscriptions` runs first. */
  reply(text: string, leaf: LeafFault, subscriptions: SubscriptionCall): string | undefined;
  /** Counts one received frame's calls in the provider's stats. */
  countWsFrame(text: string): void;
  /** Counts one accepted WebSocket connection. */
  onAccepted(): void;
}

type Subscription =
  | { kind: 'newHeads' }
  | { kind: 'logs'; matcher: LogMatcher }
  | { kind: 'newPendingTransactions'; full: boolean };

// Bounds per connection, so a misbehaving client cannot grow the fake without limit.
const MAX_SUBSCRIPTIONS = 1000;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The block header as geth's newHeads sends it: the block without its body and derived fields. */
function headerOf(block: Record<string, unknown>): Record<string, unknown> {
  const { transactions: _t, uncles: _u, withdrawals: _w, size: _s, totalDifficulty: _d, ...header } = block;
  return header;
}

function newSubscriptionId(): string {
  return `0x${randomBytes(16).toString('hex')}`;
}

class Connection {
  readonly subscriptions = new Map<string, Subscription>();
  /** Frames waiting for their delay, in send order: a slow link delays but never reorders. */
  private readonly queue: { at: number; frame: string }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly host: WsHost,
  ) {}

  send(frame: string, delayMs: number): void {
    const now = performance.now();
    const last = this.queue[this.queue.length - 1];
    const at = Math.max(now + delayMs, last?.at ?? 0);
    if (at <= now && this.queue.length === 0) {
      this.write(frame);
      return;
    }
    this.queue.push({ at, frame });
    if (!this.timer) this.drainLater();
  }

  private write(frame: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame);
  }

  private drainLater(): void {
    const first = this.queue[0];
    if (!first) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        // Timers may fire a little early: anything due within a millisecond goes now.
        const now = performance.now() + 1;
        while (this.queue.length > 0 && this.queue[0]!.at <= now) this.write(this.queue.shift()!.frame);
        this.drainLater();
      },
      Math.max(0, first.at - performance.now()),
    );
  }

  /** Stops delayed sends (the connection is gone). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  notify(id: string, result: unknown, delayMs: number): void {
    this.send(
      `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${JSON.stringify(result)}}}`,
      delayMs,
    );
  }

  /** eth_subscribe / eth_unsubscribe for this connection; undefined for every other method. */
  readonly subscriptionCall: SubscriptionCall = (method, params) => {
    if (method === 'eth_unsubscribe') {
      return { result: typeof params[0] === 'string' && this.subscriptions.delete(params[0].toLowerCase()) };
    }
    if (method !== 'eth_subscribe') return undefined;
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return { error: { code: -32000, message: 'too many subscriptions' } };
    }
    const sub = this.parseSubscription(params);
    if ('error' in sub) return sub;
    const id = newSubscriptionId();
    this.subscriptions.set(id, sub);
    return { result: id };
  };

  private parseSubscription(params: unknown[]): Subscription | { error: { code: number; message: string } } {
    switch (params[0]) {
      case 'newHeads':
        return { kind: 'newHeads' };
      case 'newPendingTransactions':
        return { kind: 'newPendingTransactions', full: params[1] === true };
      case 'logs': {
        const filter = params[1] ?? {};
        if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
          return { error: { code: -32602, message: 'invalid params: bad logs filter' } };
        }
        const matcher = parseLogMatcher(filter as { address?: unknown; topics?: unknown });
        if (typeof matcher === 'string')
          return { error: { code: -32602, message: `invalid params: ${matcher}` } };
        return { kind: 'logs', matcher };
      }
      default:
        // geth's wording for an unknown subscription name.
        return {
          error: { code: -32601, message: `no "${String(params[0])}" subscription in eth namespace` },
        };
    }
  }

  onFrame(text: string): void {
    const host = this.host;
    host.countWsFrame(text);
    const leaf = host.leafFault(true);
    switch (leaf.kind) {
      case 'hang':
        return;
      case 'refuse':
      case 'reset':
        this.socket.terminate();
        return;
      default: {
        const reply = host.reply(text, leaf, this.subscriptionCall);
        if (reply !== undefined && reply !== '') this.send(reply, host.delayMs(leaf));
      }
    }
  }
}

export class WsEndpoint {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Pongs are ours to send: a hung provider must not answer keep-alive pings either.
    autoPong: false,
  });
  private readonly connections = new Set<Connection>();

  constructor(private readonly host: WsHost) {
    host.chain.onEvent((event) => this.onChainEvent(event));
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Handles an HTTP upgrade on the provider's port, as the fault of the moment allows. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const leaf = this.host.leafFault(false);
    switch (leaf.kind) {
      case 'refuse':
        socket.destroy();
        return;
      case 'reset':
        (socket as Duplex & { resetAndDestroy?: () => void }).resetAndDestroy?.() ?? socket.destroy();
        return;
      case 'hang':
        return; // the upgrade is never answered; close() or a refuse destroys the socket
      case 'http_status':
        // What a gateway in front of a dead node answers to an upgrade, e.g. a 503 page.
        socket.end(
          `HTTP/1.1 ${leaf.status} Upstream Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
        return;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.host.onAccepted();
    const conn = new Connection(ws, this.host);
    this.connections.add(conn);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) conn.onFrame(data.toString());
    });
    ws.on('ping', (data) => {
      if (this.host.leafFault(false).kind !== 'hang') ws.pong(data);
    });
    ws.on('close', () => {
      conn.discard();
      this.connections.delete(conn);
    });
    ws.on('error', () => ws.terminate());
  }

  /** Abrupt end of every WebSocket connection (no close frame); new ones are accepted. */
  dropAll(): void {
    for (const conn of this.connections) conn.socket.terminate();
    this.connections.clear();
  }

  close(): void {
    this.dropAll();
    this.server.close();
  }

  private onChainEvent(event: ChainEvent): void {
    if (this.connections.size === 0) return;
    const leaf = this.host.leafFault(false);
    if (leaf.kind === 'hang' || leaf.kind === 'refuse') return;
    const delay = this.host.delayMs(leaf);
    const chain = this.host.chain;
    if (event.kind === 'pendingTransaction') {
      for (const conn of this.connections) {
        for (const [id, sub] of conn.subscriptions) {
          if (sub.kind !== 'newPendingTransactions') continue;
          conn.notify(id, sub.full ? chain.transaction(event.hash) : event.hash, delay);
        }
      }
      return;
    }
    // A frozen head announces nothing past the height it froze at.
    const frozenAt = leaf.kind === 'stale_head' ? (leaf.frozenAt ?? chain.head) : Number.POSITIVE_INFINITY;
    const newest = event.kind === 'block' ? event.block : event.adopted[event.adopted.length - 1]!;
    if (newest.number > frozenAt) return;
    const header = headerOf(chain.blockByHash(newest.hash)!);
    const removed: SimLog[] = [];
    const added: SimLog[] = [];
    const logsOf = (b: BlockRef) => chain.logsOfHash(b.hash) ?? [];
    if (event.kind === 'block') added.push(...logsOf(event.block));
    else {
      // geth: the orphaned branch's logs again with removed:true, newest block first, then the new logs.
      for (let i = event.orphaned.length - 1; i >= 0; i--) {
        for (const log of logsOf(event.orphaned[i]!)) removed.push({ ...log, removed: true });
      }
      for (const b of event.adopted) added.push(...logsOf(b));
    }
    for (const conn of this.connections) {
      for (const [id, sub] of conn.subscriptions) {
        if (sub.kind === 'newHeads') conn.notify(id, header, delay);
      }
      for (const [id, sub] of conn.subscriptions) {
        if (sub.kind !== 'logs') continue;
        for (const log of removed) if (logMatches(log, sub.matcher)) conn.notify(id, log, delay);
        for (const log of added) if (logMatches(log, sub.matcher)) conn.notify(id, log, delay);
      }
    }
  }
}
