// One upstream WebSocket kept connected: it opens the upstream's `ws` URL with the upstream's headers
// and, after any close, error or drop, reconnects with a jittered exponential back-off (100 ms doubling
// to 5 s). The protocol on top — EVM newHeads, agave PubSub, CometBFT subscribe — lives in its source;
// this is only the socket's life. Never the URL in a reason: it may carry an API key.
import WebSocket from 'ws';
import type { Upstream } from '../routing/upstream.js';

/** What a source does with its socket. */
export interface SocketProtocol {
  /** The socket opened: send the subscriptions. */
  opened(): void;
  message(text: string): void;
  /**
   * The socket is gone (closed, errored or dropped) and a reconnect is scheduled; not called after
   * stop(). `first`: the first failure since the protocol last confirmed it worked.
   */
  lost(reason: string, first: boolean): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
/** Frames from an upstream beyond this are a broken upstream, not a notification. */
const MAX_UPSTREAM_FRAME_BYTES = 64 * 1024 * 1024;

export class UpstreamSocket {
  private socket: WebSocket | undefined;
  private stopped = true;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly url: string,
    private readonly protocol: SocketProtocol,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.confirmTimer);
    this.close();
  }

  /** Open but silent while others announce: start over on a new connection. */
  restart(reason: string): void {
    if (!this.stopped && this.socket) this.drop(reason);
  }

  send(frame: object): void {
    this.socket?.send(JSON.stringify(frame));
  }

  /** Drop the socket unless confirmed() comes within `ms`: a node that takes a socket but never answers hangs. */
  expectConfirmation(ms: number, reason: string): void {
    const socket = this.socket;
    clearTimeout(this.confirmTimer);
    this.confirmTimer = setTimeout(() => {
      if (socket !== undefined && socket === this.socket) this.drop(reason);
    }, ms);
    this.confirmTimer.unref();
  }

  /** The protocol's subscription answered: the feed works again. */
  confirmed(): void {
    clearTimeout(this.confirmTimer);
    this.failures = 0;
  }

  drop(reason: string): void {
    clearTimeout(this.confirmTimer);
    this.close();
    if (this.stopped) return;
    this.protocol.lost(reason, this.failures === 0);
    this.failures++;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(10, this.failures - 1));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), base * (0.75 + 0.5 * this.random()));
    this.reconnectTimer.unref();
  }

  private close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    // A handler keeps late errors of the dead socket from becoming uncaught exceptions.
    socket?.on('error', () => {});
    socket?.terminate();
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
      if (socket === this.socket) this.protocol.opened();
    });
    socket.on('message', (data: Buffer) => {
      if (socket === this.socket) this.protocol.message(data.toString());
    });
    socket.on('error', (err) => {
      if (socket === this.socket)
        this.drop(`websocket error: ${(err as NodeJS.ErrnoException).code ?? 'failed'}`);
    });
    socket.on('close', (code) => {
      if (socket === this.socket) this.drop(`websocket closed (${code})`);
    });
  }
}
