// The subscriptions of one chain feed, counted by kind, and the fan-out of each notification to the
// ones it is for: heads and pending transactions to every subscription of the kind, logs to those whose
// filter matches and that were made before the block was announced.
import type { Observer } from '../routing/observer.js';
import { type Log, logJson } from './block-header.js';
import { matchesLog } from './log-filter.js';
import { notificationText, type Subscription, type SubscriptionKind } from './subscription.js';

export class SubscriptionFanout {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly counts: Record<SubscriptionKind, number> = {
    newHeads: 0,
    logs: 0,
    newPendingTransactions: 0,
  };

  constructor(
    private readonly chainName: () => string,
    private readonly observer: Observer,
  ) {}

  get size(): number {
    return this.subscriptions.size;
  }

  countOf(kind: SubscriptionKind): number {
    return this.counts[kind];
  }

  countsByKind(): Record<SubscriptionKind, number> {
    return { ...this.counts };
  }

  add(sub: Subscription): void {
    this.subscriptions.set(sub.id, sub);
    this.counts[sub.kind]++;
  }

  /** The removed subscription, or undefined when there was none with this id. */
  remove(id: string): Subscription | undefined {
    const sub = this.subscriptions.get(id);
    if (!sub) return undefined;
    this.subscriptions.delete(id);
    this.counts[sub.kind]--;
    return sub;
  }

  clear(): void {
    this.subscriptions.clear();
    for (const kind of Object.keys(this.counts) as SubscriptionKind[]) this.counts[kind] = 0;
  }

  deliver(kind: SubscriptionKind, resultJson: string): void {
    if (this.counts[kind] === 0) return;
    let sent = 0;
    for (const sub of this.subscriptions.values()) {
      if (sub.kind !== kind) continue;
      sub.sink.notify(notificationText(sub.id, resultJson));
      sent++;
    }
    this.observer.notifications?.(this.chainName(), kind, sent);
  }

  /** `seq`: the add these logs belong to; a subscription made after it never saw them. */
  deliverLogs(logs: readonly Log[], seq: number, removed: boolean): void {
    let sent = 0;
    const texts = logs.map((log) => ({ log, text: logJson(log, removed) }));
    for (const sub of this.subscriptions.values()) {
      if (sub.kind !== 'logs' || sub.sinceSeq > seq) continue;
      for (const { log, text } of texts) {
        if (sub.filter && !matchesLog(sub.filter, log)) continue;
        sub.sink.notify(notificationText(sub.id, text));
        sent++;
      }
    }
    this.observer.notifications?.(this.chainName(), 'logs', sent);
  }
}
