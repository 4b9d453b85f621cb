// A subscriber as wallets and indexers run one: a WebSocket with one newHeads and one logs subscription
// that reconnects and re-subscribes when the socket closes, as viem's webSocket transport does since
// 2.31.7. Like viem it cannot backfill, and it does not notice a socket that stays open but goes silent
// (viem's keep-alive ping every 30 s has no timeout). Every notification is kept with its arrival time.

import WebSocket from 'ws';
import { epochMs } from '../load/stats.js';

interface ReceivedHead {
  number: number;
  hash: string;
  atMs: number;
}

interface ReceivedLog {
  blockHash: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  removed: boolean;
  atMs: number;
}

export interface SubscriberOptions {
  url: string;
  /** The logs subscription's filter (address / topics). */
  logsFilter: Record<string, unknown>;
  /** Wait before each reconnect (viem: 2 s by default; smaller favours the pinned model). */
  reconnectDelayMs: number;
  /** An eth_subscribe answer later than this counts as a failed attempt: the socket is dropped. */
  subscribeTimeoutMs: number;
}

export interface SubscriberRecord {
  heads: ReceivedHead[];
  logs: ReceivedLog[];
  /** Connections that opened (1 = the connection never changed). */
  connections: number;
  /** Attempts that failed before a connection opened, with the last reason. */
  failedAttempts: number;
  lastFailure: string | null;
  /** Every subscription id received, newHeads and logs (2 = the ids never changed). */
  subscriptionIds: string[];
  /** Connections that closed under the subscriber. */
  closes: number;
}

// Bounds on what one run keeps, so a misbehaving target cannot grow the bench without limit.
const MAX_RECORDED = 200_000;
const MAX_ATTEMPTS = 100_000;

export class Subscriber {
  readonly record: SubscriberRecord = {
    heads: [],
    logs: [],
    connections: 0,
    failedAttempts: 0,
    lastFailure: null,
    subscriptionIds: [],
    closes: 0,
  };
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SubscriberOptions) {}

  start(): void {
    this.connect();
  }

  /** Closes the socket and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.stopped || this.attempts++ >= MAX_ATTEMPTS) return;
    const ws = new WebSocket(this.opts.url, { handshakeTimeout: 2000 });
    this.socket = ws;
    let opened = false;
    const pending = new Map<number, (result: unknown, error: unknown) => void>();
    const kindOf = new Map<string, 'newHeads' | 'logs'>();
    ws.on('open', () => {
      opened = true;
      this.record.connections++;
      this.subscribe(ws, pending, kindOf);
    });
    ws.on('message', (data) => this.onMessage(data.toString(), pending, kindOf));
    // Before the upgrade: refused, reset, or "Unexpected server response: 502" (ws's wording).
    ws.on('error', (err) => {
      if (!opened) this.fail((err as NodeJS.ErrnoException).code ?? err.message);
    });
    ws.on('close', () => {
      if (opened) this.record.closes++;
      if (this.socket === ws) this.socket = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.connect(), this.opts.reconnectDelayMs);
    });
  }

  private fail(reason: string): void {
    this.record.failedAttempts++;
    this.record.lastFailure = reason;
  }

  private subscribe(
    ws: WebSocket,
    pending: Map<number, (result: unknown, error: unknown) => void>,
    kindOf: Map<string, 'newHeads' | 'logs'>,
  ): void {
    const requests: [number, 'newHeads' | 'logs', unknown[]][] = [
      [1, 'newHeads', ['newHeads']],
      [2, 'logs', ['logs', this.opts.logsFilter]],
    ];
    const timeout = setTimeout(() => {
      if (pending.size === 0) return;
      this.fail('eth_subscribe not answered in time');
      ws.terminate();
    }, this.opts.subscribeTimeoutMs);
    timeout.unref();
    for (const [id, kind, params] of requests) {
      pending.set(id, (result, error) => {
        if (typeof result === 'string') {
          kindOf.set(result, kind);
          this.record.subscriptionIds.push(result);
        } else {
          this.fail(`eth_subscribe ${kind}: ${JSON.stringify(error)}`);
          ws.terminate();
        }
        if (pending.size === 0) clearTimeout(timeout);
      });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_subscribe', params }));
    }
  }

  private onMessage(
    text: string,
    pending: Map<number, (result: unknown, error: unknown) => void>,
    kindOf: Map<string, 'newHeads' | 'logs'>,
  ): void {
    const atMs = epochMs();
    let msg: {
      id?: unknown;
      result?: unknown;
      error?: unknown;
      params?: { subscription?: unknown; result?: Record<string, unknown> };
    };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.id === 'number' && pending.has(msg.id)) {
      const done = pending.get(msg.id)!;
      pending.delete(msg.id);
      done(msg.result, msg.error);
      return;
    }
    const sub = msg.params?.subscription;
    const r = msg.params?.result;
    if (typeof sub !== 'string' || !r) return;
    const rec = this.record;
    if (rec.heads.length + rec.logs.length >= MAX_RECORDED) return;
    const kind = kindOf.get(sub);
    if (kind === 'newHeads') {
      rec.heads.push({ number: Number(r.number), hash: String(r.hash), atMs });
    } else if (kind === 'logs') {
      rec.logs.push({
        blockHash: String(r.blockHash),
        blockNumber: Number(r.blockNumber),
        logIndex: Number(r.logIndex),
        transactionHash: String(r.transactionHash),
        removed: r.removed === true,
        atMs,
      });
    }
  }
}
