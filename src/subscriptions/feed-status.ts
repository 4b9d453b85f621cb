// What a chain feed reports on /status: whether it runs, its canonical head, its subscriptions by kind
// and each upstream's head source.
import type { SubscriptionKind } from './subscription.js';

export interface FeedSourceStatus {
  upstream: string;
  transport: 'ws' | 'poll';
  connected: boolean;
  lastHead: number | null;
}

export interface FeedStatus {
  active: boolean;
  head: number | null;
  headHash: string | null;
  subscriptions: Record<SubscriptionKind, number>;
  /** Empty while the feed is not running. */
  sources: FeedSourceStatus[];
}
