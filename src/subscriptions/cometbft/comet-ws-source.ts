// One CometBFT upstream's WebSocket feed: `subscribe` to tm.event='NewBlock' on its `ws` URL
// (CometBFT's /websocket), reconnecting with a jittered back-off after a close. One subscription per
// node: a 0.38 NewBlock carries every transaction's result, so no Tx subscription is needed. Announces
// what the node publishes; the chain feed decides what is delivered and what a dropped or silent
// socket means.
import WebSocket from 'ws';
import type { Upstream } from '../../routing/upstream.js';
import { type CometHeight, heightFromNewBlock } from './comet-height.js';

export interface CometSourceListener {
  /** A node published a height (with its events when the frame was well formed). */
  height(upstream: Upstream, height: number, data: CometHeight | undefined): void;
  /** The feed broke: evidence against the upstream; `first`: the first failure since it last worked. */
  down(upstream: Upstream, reason: string, first: boolean): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
/** A block with its results can be large; beyond this it is a broken upstream. */
const MAX_UPSTREAM_FRAME_BYTES = 64 * 1024 * 1024;
const NEW_BLOCK_ID = 1;
const NEW_BLOCK_QUERY = "tm.event='NewBlock'";

export class CometWsSource {
  connected = false;
  /** Highest height this source announced, and when (silence detection). */
  lastHeight = -1;
  lastAnnouncedAtMs = 0;
  private socket: WebSocket | undefined;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly upstream: Upstream,
    private readonly url: string,
    private readonly listener: CometSourceListener,
    /** A subscribe not answered this long after the socket opened: the node hangs (`silentAfter`). */
    private readonly answerTimeoutMs: () => number,
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

  /** Open but silent while others publish heights: start over on a new connection. */
  restart(reason: string): void {
    if (this.stopped || !this.socket) return;
    this.drop(reason);
  }

  private connect(): void {
    const socket = new WebSocket(this.url, {
      headers: { ...this.upstream.config.headers },
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      maxPayload: MAX_UPSTREAM_FRAME_BYTES,
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (socket !== this.socket) return;
      this.timer = setTimeout(() => {
        if (socket === this.socket && !this.connected) this.drop('NewBlock subscription unanswered');
      }, this.answerTimeoutMs());
      this.timer.unref();
      socket.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: NEW_BLOCK_ID,
          method: 'subscribe',
          params: { query: NEW_BLOCK_QUERY },
        }),
      );
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

  private onMessage(text: string): void {
    let message: { id?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || message.id !== NEW_BLOCK_ID) return;
    if (message.error !== undefined) {
      // Refused, or canceled later ("subscription was canceled"): either way this feed is over.
      this.drop(this.connected ? 'NewBlock subscription canceled' : 'NewBlock subscription refused');
      return;
    }
    const result = message.result as { data?: { type?: unknown; value?: unknown } } | undefined;
    if (!this.connected) {
      // The first answer is subscribe's own (an empty object); events follow under the same id.
      this.connected = true;
      this.failures = 0;
      clearTimeout(this.timer);
      this.lastAnnouncedAtMs = Date.now();
      if (result?.data === undefined) return;
    }
    if (result?.data?.type !== 'tendermint/event/NewBlock') return;
    const data = heightFromNewBlock(result.data.value);
    if (!data) return;
    if (data.height > this.lastHeight) {
      this.lastHeight = data.height;
      this.lastAnnouncedAtMs = Date.now();
    }
    this.listener.height(this.upstream, data.height, data);
  }

  private drop(reason: string): void {
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
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
