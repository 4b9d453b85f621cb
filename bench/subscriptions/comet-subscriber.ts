// A CometBFT subscriber as Cosmos apps run one: a WebSocket with `subscribe tm.event='NewBlock'` that
// reconnects and subscribes again when the socket closes. Like CosmJS it cannot backfill and does not
// notice a socket that stays open but goes silent. Every height received is kept with its arrival time.
import WebSocket from 'ws';
import { epochMs } from '../load/stats.js';

export interface CometSubscriberRecord {
  heights: { height: number; atMs: number }[];
  connections: number;
  failedAttempts: number;
  lastFailure: string | null;
  closes: number;
}

const MAX_RECORDED = 200_000;
const QUERY = "tm.event='NewBlock'";

export class CometSubscriber {
  readonly record: CometSubscriberRecord = {
    heights: [],
    connections: 0,
    failedAttempts: 0,
    lastFailure: null,
    closes: 0,
  };
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly reconnectDelayMs: number,
    private readonly subscribeTimeoutMs: number,
  ) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url, { handshakeTimeout: this.subscribeTimeoutMs });
    this.socket = ws;
    let opened = false;
    let answered = false;
    const id = this.nextId++;
    ws.on('open', () => {
      opened = true;
      this.record.connections++;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'subscribe', params: { query: QUERY } }));
      setTimeout(() => {
        if (!answered) ws.terminate();
      }, this.subscribeTimeoutMs).unref();
    });
    ws.on('message', (data) => {
      const atMs = epochMs();
      let m: { id?: unknown; result?: { data?: { value?: { block?: { header?: { height?: string } } } } } };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        return;
      }
      if (m.id !== id) return;
      answered = true;
      const height = Number(m.result?.data?.value?.block?.header?.height);
      if (Number.isSafeInteger(height) && this.record.heights.length < MAX_RECORDED)
        this.record.heights.push({ height, atMs });
    });
    ws.on('error', (err) => {
      this.record.lastFailure = err.message.split('\n')[0] ?? 'error';
    });
    ws.on('close', () => {
      if (opened) this.record.closes++;
      else this.record.failedAttempts++;
      if (this.stopped || ws !== this.socket) return;
      this.timer = setTimeout(() => this.connect(), this.reconnectDelayMs);
      this.timer.unref();
    });
  }
}
