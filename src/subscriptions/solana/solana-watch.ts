// One watch: the clients of identical Solana subscriptions and what they were last sent, so that what
// several upstream feeds (and the re-reads after a failover) report is delivered once and in order:
// slots and roots strictly increasing; an account's state once per (slot, state), never an older slot;
// a program's accounts the same, per account; a transaction's logs once per signature; a signature's
// result once (plus its optional "receivedSignature"), after which the subscription ends, as agave's.
import type { NotificationSink } from '../subscription.js';
import { contextSlot, rawAt } from './raw-result.js';
import { NOTIFICATION_METHODS, type WatchSpec } from './solana-requests.js';

export interface ClientSub {
  /** The client's subscription id (unique on its connection). */
  readonly id: number;
  readonly sink: NotificationSink;
}

/**
 * Where an offered result comes from: an upstream's notification, an HTTP re-read, or the read made
 * when the watch began (the state the client already has: remembered, not sent).
 */
export type OfferSource = 'feed' | 'reread' | 'baseline';

/** Remembered per program watch and per logs watch; the oldest go first. */
const MEMORY_LIMIT = 50_000;

export class SolanaWatch {
  readonly clients = new Set<ClientSub>();
  /** Highest slot delivered (slot, root: the slot itself; others: context.slot), -1 before any. */
  lastSlot = -1;
  /** The slot the watch began at: the first re-read's floor (minContextSlot). */
  startSlot = 0;
  /** A signature watch that has delivered its result: it ends. */
  done = false;
  private lastState: string | undefined;
  private receivedSent = false;
  private readonly accounts = new Map<string, { slot: number; state: string }>();
  private readonly signatures = new Set<string>();

  constructor(
    readonly spec: WatchSpec,
    /** Counts what was sent (metrics). */
    private readonly sent: (count: number) => void,
  ) {}

  /** Offers one result (raw JSON as agave sends it); true when it was delivered to the clients. */
  offer(resultRaw: string, source: OfferSource): boolean {
    if (this.done || !this.accepts(resultRaw, source) || source === 'baseline') return false;
    const method = NOTIFICATION_METHODS[this.spec.kind];
    for (const client of this.clients) {
      client.sink.notify(
        `{"jsonrpc":"2.0","method":"${method}","params":{"result":${resultRaw},"subscription":${client.id}}}`,
      );
    }
    this.sent(this.clients.size);
    return true;
  }

  private accepts(raw: string, source: OfferSource): boolean {
    switch (this.spec.kind) {
      case 'slot':
        return this.advance(Number(rawAt(raw, ['slot'])));
      case 'root':
        return this.advance(Number(raw));
      case 'signature':
        return this.signature(raw);
      case 'account':
        return this.account(raw, source);
      case 'program':
        return this.program(raw, source);
      case 'logs':
        return this.logs(raw);
    }
  }

  private advance(slot: number): boolean {
    if (!Number.isSafeInteger(slot) || slot <= this.lastSlot) return false;
    this.lastSlot = slot;
    return true;
  }

  private signature(raw: string): boolean {
    const value = rawAt(raw, ['value']);
    if (value === undefined) return false;
    if (value === '"receivedSignature"') {
      if (!this.spec.received || this.receivedSent) return false;
      this.receivedSent = true;
      return true;
    }
    if (rawAt(value, ['err']) === undefined) return false;
    this.done = true;
    this.lastSlot = contextSlot(raw) ?? this.lastSlot;
    return true;
  }

  /**
   * From a feed: anything newer passes (a write that changed nothing included, as agave sends it);
   * the same slot and state from a second feed does not. From a re-read: only a state the client
   * has not seen.
   */
  private account(raw: string, source: OfferSource): boolean {
    const slot = contextSlot(raw);
    const state = rawAt(raw, ['value']);
    if (slot === undefined || state === undefined || slot < this.lastSlot) return false;
    if (state === this.lastState && (slot === this.lastSlot || source === 'reread')) return false;
    this.lastSlot = slot;
    this.lastState = state;
    return true;
  }

  private program(raw: string, source: OfferSource): boolean {
    const slot = contextSlot(raw);
    const pubkey = rawAt(raw, ['value', 'pubkey']);
    const state = rawAt(raw, ['value', 'account']);
    if (slot === undefined || pubkey === undefined || state === undefined) return false;
    const last = this.accounts.get(pubkey);
    if (last && slot < last.slot) return false;
    if (last?.state === state && (slot === last.slot || source === 'reread')) return false;
    this.accounts.delete(pubkey);
    if (this.accounts.size >= MEMORY_LIMIT) this.accounts.delete(this.accounts.keys().next().value as string);
    this.accounts.set(pubkey, { slot, state });
    this.lastSlot = Math.max(this.lastSlot, slot);
    return true;
  }

  private logs(raw: string): boolean {
    const slot = contextSlot(raw);
    const signature = rawAt(raw, ['value', 'signature']);
    if (slot === undefined || signature === undefined || this.signatures.has(signature)) return false;
    if (this.signatures.size >= MEMORY_LIMIT)
      this.signatures.delete(this.signatures.values().next().value as string);
    this.signatures.add(signature);
    this.lastSlot = Math.max(this.lastSlot, slot);
    return true;
  }
}
