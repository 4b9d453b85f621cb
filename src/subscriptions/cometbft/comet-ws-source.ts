// One CometBFT upstream's WebSocket feed: `subscribe` to tm.event='NewBlock' on its `ws` URL
// (CometBFT's /websocket; an UpstreamSocket, which reconnects with a jittered back-off). One subscription per
// node: a 0.38 NewBlock carries every transaction's result, so no Tx subscription is needed. Announces
// what the node publishes; the chain feed decides what is delivered and what a dropped or silent
// socket means.
import type { Upstream } from '../../routing/upstream.js';
import { type SocketProtocol, UpstreamSocket } from '../upstream-socket.js';
import { type CometHeight, heightFromNewBlock } from './comet-height.js';

export interface CometSourceListener {
  /** A node published a height (with its events when the frame was well formed). */
  height(upstream: Upstream, height: number, data: CometHeight | undefined): void;
  /** The feed broke: evidence against the upstream; `first`: the first failure since it last worked. */
  down(upstream: Upstream, reason: string, first: boolean): void;
}

const NEW_BLOCK_ID = 1;
const NEW_BLOCK_QUERY = "tm.event='NewBlock'";

export class CometWsSource implements SocketProtocol {
  connected = false;
  /** Highest height this source announced, and when (silence detection). */
  lastHeight = -1;
  lastAnnouncedAtMs = 0;
  private readonly socket: UpstreamSocket;

  constructor(
    readonly upstream: Upstream,
    url: string,
    private readonly listener: CometSourceListener,
    /** A subscribe not answered this long after the socket opened: the node hangs (`silentAfter`). */
    private readonly answerTimeoutMs: () => number,
    random: () => number = Math.random,
  ) {
    this.socket = new UpstreamSocket(upstream, url, this, random);
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
    this.connected = false;
  }

  /** Open but silent while others publish heights: start over on a new connection. */
  restart(reason: string): void {
    this.socket.restart(reason);
  }

  opened(): void {
    this.socket.expectConfirmation(this.answerTimeoutMs(), 'NewBlock subscription unanswered');
    this.socket.send({
      jsonrpc: '2.0',
      id: NEW_BLOCK_ID,
      method: 'subscribe',
      params: { query: NEW_BLOCK_QUERY },
    });
  }

  lost(reason: string, first: boolean): void {
    this.connected = false;
    this.listener.down(this.upstream, reason, first);
  }

  message(text: string): void {
    let message: { id?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || message.id !== NEW_BLOCK_ID) return;
    if (message.error !== undefined) {
      // Refused, or canceled later ("subscription was canceled"): either way this feed is over.
      this.socket.drop(this.connected ? 'NewBlock subscription canceled' : 'NewBlock subscription refused');
      return;
    }
    const result = message.result as { data?: { type?: unknown; value?: unknown } } | undefined;
    if (!this.connected) {
      // The first answer is subscribe's own (an empty object); events follow under the same id.
      this.connected = true;
      this.socket.confirmed();
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
}
