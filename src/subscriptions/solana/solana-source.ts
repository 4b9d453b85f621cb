// One upstream's agave PubSub socket (its `ws` URL): slotSubscribe always (the merged slot stream and
// the liveness signal), plus one upstream subscription per watch the feed wants, re-made after every
// reconnect (an UpstreamSocket, which reconnects with a jittered back-off). Announces what the upstream
// says; the feed decides what is new and what a dropped or silent socket means.
import type { Upstream } from '../../routing/upstream.js';
import { type SocketProtocol, UpstreamSocket } from '../upstream-socket.js';
import { rawAt } from './raw-result.js';
import type { WatchSpec } from './solana-requests.js';

export interface SolanaSourceListener {
  /** A slotNotification: its raw result and slot. */
  slot(source: SolanaSource, slot: number, resultRaw: string): void;
  /** A notification for a watch. */
  notification(source: SolanaSource, key: string, resultRaw: string): void;
  /** The socket broke: evidence against the upstream. `first`: first failure since it last worked. */
  down(source: SolanaSource, reason: string, first: boolean): void;
  /** The socket is up and its slot subscription confirmed. */
  up(source: SolanaSource): void;
}

/** An upstream that takes the socket but does not confirm the slot subscription within this is down. */
const CONFIRM_TIMEOUT_MS = 5000;
const SLOT_KEY = '\0slot';

export class SolanaSource implements SocketProtocol {
  connected = false;
  /** Highest slot this source announced, and when (silence detection). */
  lastSlot = -1;
  lastSlotAtMs = 0;
  /** Since when the merged stream is past this source's slot (set by the feed). */
  behindSinceMs: number | undefined;
  private readonly socket: UpstreamSocket;
  private nextRequestId = 1;
  private readonly wanted = new Map<string, WatchSpec>();
  private readonly requests = new Map<number, string>();
  private readonly subscribed = new Map<string, number>();
  private readonly keysById = new Map<number, string>();

  constructor(
    readonly upstream: Upstream,
    url: string,
    private readonly listener: SolanaSourceListener,
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

  /** Open but silent while others announce slots: start over on a new connection. */
  restart(reason: string): void {
    this.socket.restart(reason);
  }

  want(spec: WatchSpec): void {
    if (spec.kind === 'slot' || this.wanted.has(spec.key)) return;
    this.wanted.set(spec.key, spec);
    if (this.connected) this.subscribe(spec.key, spec.method, spec.params);
  }

  unwant(key: string): void {
    if (!this.wanted.delete(key)) return;
    const id = this.subscribed.get(key);
    if (id === undefined) return;
    this.subscribed.delete(key);
    this.keysById.delete(id);
    const method = this.unsubscribeMethodOf(key);
    if (method) this.send(this.nextRequestId++, method, [id]);
  }

  private unsubscribeMethodOf(key: string): string | undefined {
    const kind = key.slice(0, key.indexOf(':'));
    return kind ? `${kind}Unsubscribe` : undefined;
  }

  opened(): void {
    this.subscribe(SLOT_KEY, 'slotSubscribe', []);
    this.socket.expectConfirmation(CONFIRM_TIMEOUT_MS, 'slot subscription not confirmed');
  }

  lost(reason: string, first: boolean): void {
    this.reset();
    this.listener.down(this, reason, first);
  }

  private subscribe(key: string, method: string, params: readonly unknown[]): void {
    const id = this.nextRequestId++;
    this.requests.set(id, key);
    this.send(id, method, params);
  }

  private send(id: number, method: string, params: readonly unknown[]): void {
    this.socket.send({ jsonrpc: '2.0', id, method, params });
  }

  message(text: string): void {
    const method = rawAt(text, ['method']);
    if (method !== undefined) {
      const subscription = Number(rawAt(text, ['params', 'subscription']));
      const result = rawAt(text, ['params', 'result']);
      const key = this.keysById.get(subscription);
      if (key === undefined || result === undefined) return;
      if (key === SLOT_KEY) {
        const slot = Number(rawAt(result, ['slot']));
        if (!Number.isSafeInteger(slot)) return;
        if (slot > this.lastSlot) {
          this.lastSlot = slot;
          this.lastSlotAtMs = Date.now();
        }
        this.listener.slot(this, slot, result);
        return;
      }
      // agave ends a signature subscription with its notification.
      if (method === '"signatureNotification"' && rawAt(result, ['value', 'err']) !== undefined) {
        this.keysById.delete(subscription);
        this.subscribed.delete(key);
      }
      this.listener.notification(this, key, result);
      return;
    }
    const id = Number(rawAt(text, ['id']));
    const key = this.requests.get(id);
    if (key === undefined) return;
    this.requests.delete(id);
    const subId = Number(rawAt(text, ['result']));
    if (!Number.isSafeInteger(subId)) {
      if (key === SLOT_KEY) this.socket.drop('slotSubscribe refused');
      return;
    }
    if (key !== SLOT_KEY && !this.wanted.has(key)) {
      // Unwanted while the subscribe was on its way: undo it.
      const method = this.unsubscribeMethodOf(key);
      if (method) this.send(this.nextRequestId++, method, [subId]);
      return;
    }
    this.keysById.set(subId, key);
    this.subscribed.set(key, subId);
    if (key === SLOT_KEY) this.onUp();
  }

  private onUp(): void {
    this.socket.confirmed();
    this.connected = true;
    this.lastSlotAtMs = Date.now();
    this.behindSinceMs = undefined;
    for (const [key, spec] of this.wanted) this.subscribe(key, spec.method, spec.params);
    this.listener.up(this);
  }

  private reset(): void {
    this.connected = false;
    this.behindSinceMs = undefined;
    this.requests.clear();
    this.subscribed.clear();
    this.keysById.clear();
  }
}
