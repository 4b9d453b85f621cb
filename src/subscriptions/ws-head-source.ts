// One upstream's WebSocket feed: `eth_subscribe newHeads` (and `newPendingTransactions` while someone
// wants them) on its `ws` URL, reconnecting with a jittered back-off after a close. Announces what the
// upstream says; the chain feed decides what is canonical and what a silent or dropped feed means.
import WebSocket from 'ws';
import type { Upstream } from '../routing/upstream.js';
import { type BlockHeader, headerFrom } from './block-header.js';

export interface HeadSourceListener {
  head(upstream: Upstream, header: BlockHeader): void;
  pendingTransaction(upstream: Upstream, hash: string): void;
  /**
   * The feed broke (closed, refused, subscription refused): evidence against the upstream. `first`:
   * the first failure since it last worked (later ones are the reconnects failing).
   */
  down(upstream: Upstream, reason: string, first: boolean): void;
  up(upstream: Upstream): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
/** Frames from an upstream beyond this are a broken upstream, not a block header. */
const MAX_UPSTREAM_FRAME_BYTES = 64 * 1024 * 1024;
const HEADS_REQUEST_ID = 1;
const PENDING_REQUEST_ID = 2;
const LATEST_REQUEST_ID = 3;
const TX_HASH_RE = /^0x[0-9a-fA-F]{64}$/;

export class WsHeadSource {
  connected = false;
  /** Highest block this source announced, and when (silence detection). */
  lastNumber = -1;
  lastAnnouncedAtMs = 0;
  private socket: WebSocket | undefined;
  private headsId: string | undefined;
  private pendingId: string | undefined;
  private wantPending = false;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly upstream: Upstream,
    private readonly url: string,
    private readonly listener: HeadSourceListener,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.terminate();
    this.socket = undefined;
    this.connected = false;
  }

  /** Pending transactions are costly (every one in the mempool): subscribed only while wanted. */
  setWantPending(want: boolean): void {
    if (want === this.wantPending) return;
    this.wantPending = want;
    if (!this.connected) return;
    if (want) this.send(PENDING_REQUEST_ID, 'eth_subscribe', ['newPendingTransactions']);
    else if (this.pendingId) {
      this.send(0, 'eth_unsubscribe', [this.pendingId]);
      this.pendingId = undefined;
    }
  }

  /** Open but silent while others announce blocks: start over on a new connection. */
  restart(reason: string): void {
    if (this.stopped || !this.socket) return;
    this.drop(reason);
  }

  private connect(): void {
    const headers = { ...this.upstream.config.headers };
    const socket = new WebSocket(this.url, {
      headers,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      maxPayload: MAX_UPSTREAM_FRAME_BYTES,
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (socket !== this.socket) return;
      this.send(HEADS_REQUEST_ID, 'eth_subscribe', ['newHeads']);
      if (this.wantPending) this.send(PENDING_REQUEST_ID, 'eth_subscribe', ['newPendingTransactions']);
    });
    socket.on('message', (data) => {
      if (socket === this.socket) this.onMessage(data.toString());
    });
    // Never the URL in a reason: it may carry an API key.
    socket.on('error', (err) => {
      if (socket === this.socket)
        this.drop(`websocket error: ${(err as NodeJS.ErrnoException).code ?? 'failed'}`);
    });
    socket.on('close', (code) => {
      if (socket === this.socket) this.drop(`websocket closed (${code})`);
    });
  }

  private send(id: number, method: string, params: unknown[]): void {
    this.socket?.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }

  private onMessage(text: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.method === 'eth_subscription') {
      const params = message.params as { subscription?: unknown; result?: unknown } | undefined;
      if (params?.subscription === undefined) return;
      if (params.subscription === this.headsId) {
        const header = headerFrom(params.result);
        if (header) this.announce(header);
      } else if (params.subscription === this.pendingId) {
        if (typeof params.result === 'string' && TX_HASH_RE.test(params.result)) {
          this.listener.pendingTransaction(this.upstream, params.result.toLowerCase());
        }
      }
      return;
    }
    if (message.id === HEADS_REQUEST_ID) {
      if (typeof message.result !== 'string') {
        this.drop('newHeads subscription refused');
        return;
      }
      this.headsId = message.result;
      this.connected = true;
      this.failures = 0;
      this.lastAnnouncedAtMs = Date.now();
      this.listener.up(this.upstream);
      // newHeads only tells of blocks to come: after a reconnect, the block it is at now is news too.
      this.send(LATEST_REQUEST_ID, 'eth_getBlockByNumber', ['latest', false]);
    } else if (message.id === LATEST_REQUEST_ID) {
      const header = headerFrom(message.result);
      if (header) this.announce(header);
    } else if (message.id === PENDING_REQUEST_ID && typeof message.result === 'string') {
      this.pendingId = message.result;
    }
  }

  private announce(header: BlockHeader): void {
    if (header.number > this.lastNumber) {
      this.lastNumber = header.number;
      this.lastAnnouncedAtMs = Date.now();
    }
    this.listener.head(this.upstream, header);
  }

  private drop(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.headsId = undefined;
    this.pendingId = undefined;
    this.connected = false;
    socket?.removeAllListeners();
    // A handler keeps late errors of the dead socket from becoming uncaught exceptions.
    socket?.on('error', () => {});
    socket?.terminate();
    if (this.stopped) return;
    this.listener.down(this.upstream, reason, this.failures === 0);
    this.failures++;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(10, this.failures - 1));
    this.timer = setTimeout(() => this.connect(), base * (0.75 + 0.5 * this.random()));
    this.timer.unref();
  }
}
