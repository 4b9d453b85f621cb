// One upstream's WebSocket feed: `eth_subscribe newHeads` (and `newPendingTransactions` while someone
// wants them) on its `ws` URL (an UpstreamSocket, which reconnects). Announces what the upstream says;
// the chain feed decides what is canonical and what a silent or dropped feed means.
import type { Upstream } from '../routing/upstream.js';
import { type BlockHeader, headerFrom } from './block-header.js';
import { type SocketProtocol, UpstreamSocket } from './upstream-socket.js';

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

const HEADS_REQUEST_ID = 1;
const PENDING_REQUEST_ID = 2;
const LATEST_REQUEST_ID = 3;
const TX_HASH_RE = /^0x[0-9a-fA-F]{64}$/;

export class WsHeadSource implements SocketProtocol {
  connected = false;
  /** Highest block this source announced, and when (silence detection). */
  lastNumber = -1;
  lastAnnouncedAtMs = 0;
  private readonly socket: UpstreamSocket;
  private headsId: string | undefined;
  private pendingId: string | undefined;
  private wantPending = false;

  constructor(
    readonly upstream: Upstream,
    url: string,
    private readonly listener: HeadSourceListener,
    random: () => number = Math.random,
  ) {
    this.socket = new UpstreamSocket(upstream, url, this, random);
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
    this.reset();
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
    this.socket.restart(reason);
  }

  opened(): void {
    this.send(HEADS_REQUEST_ID, 'eth_subscribe', ['newHeads']);
    if (this.wantPending) this.send(PENDING_REQUEST_ID, 'eth_subscribe', ['newPendingTransactions']);
  }

  lost(reason: string, first: boolean): void {
    this.reset();
    this.listener.down(this.upstream, reason, first);
  }

  private reset(): void {
    this.headsId = undefined;
    this.pendingId = undefined;
    this.connected = false;
  }

  private send(id: number, method: string, params: unknown[]): void {
    this.socket.send({ jsonrpc: '2.0', id, method, params });
  }

  message(text: string): void {
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
        this.socket.drop('newHeads subscription refused');
        return;
      }
      this.headsId = message.result;
      this.connected = true;
      this.socket.confirmed();
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
}
