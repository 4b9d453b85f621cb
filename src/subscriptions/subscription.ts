// A client's subscription as the feed holds it, and the notification envelope it receives.
import { randomBytes } from 'node:crypto';
import type { LogFilter } from './log-filter.js';

export type SubscriptionKind = 'newHeads' | 'logs' | 'newPendingTransactions';
export const SUBSCRIPTION_KINDS: readonly SubscriptionKind[] = ['newHeads', 'logs', 'newPendingTransactions'];

/** Where a subscription's notifications go: the client connection (which guards its send buffer). */
export interface NotificationSink {
  notify(text: string): void;
}

export interface Subscription {
  /** Switchyard's own id: it never changes when the upstreams feeding it do. */
  readonly id: string;
  readonly kind: SubscriptionKind;
  readonly filter: LogFilter | undefined;
  readonly sink: NotificationSink;
  /** Log deliveries from this sequence number on are this subscription's (set by the feed). */
  sinceSeq: number;
}

/** 16 random bytes, as geth's subscription ids. */
export function newSubscriptionId(): string {
  return `0x${randomBytes(16).toString('hex')}`;
}

export function notificationText(id: string, resultJson: string): string {
  return `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${resultJson}}}`;
}
