// Every chain's subscription feed, owned by the server rather than by one runtime: a reload swaps the
// runtime, and the feeds (with their subscriptions and canonical chains) follow the new one.

import type { Logger } from '../log/logger.js';
import type { Observer } from '../routing/observer.js';
import { catalogueError } from '../rpc/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { ChainFeed } from './chain-feed.js';
import { type LogFilter, parseLogFilter } from './log-filter.js';
import {
  type NotificationSink,
  newSubscriptionId,
  SUBSCRIPTION_KINDS,
  type SubscriptionKind,
} from './subscription.js';

/**
 * `started`: settles once the chain's feed has its first block (at once when it runs already), so the
 * id is answered only then: every block after the answer is news to the subscriber, none is missed in
 * between. Bounded: with no upstream reachable the id is answered after FEED_START_WAIT_MS anyway.
 */
export type SubscribeOutcome = { id: string; started?: Promise<void> } | { error: string };

const FEED_START_WAIT_MS = 2000;

export class SubscriptionService {
  private readonly feeds = new Map<string, ChainFeed>();

  constructor(
    private runtime: Runtime,
    private readonly logger: Logger,
    private readonly observer: Observer,
  ) {}

  subscribe(
    chainName: string,
    sink: NotificationSink,
    kind: string,
    params: readonly unknown[],
  ): SubscribeOutcome {
    if (!(SUBSCRIPTION_KINDS as readonly string[]).includes(kind)) {
      return {
        error: catalogueError(
          'INVALID_PARAMS',
          `no "${kind.slice(0, 40)}" subscription (newHeads, logs, newPendingTransactions)`,
        ),
      };
    }
    const feed = this.feed(chainName);
    if (!feed) return { error: catalogueError('NOT_FOUND', 'chain') };
    let filter: LogFilter | undefined;
    if (kind === 'logs') {
      const parsed = parseLogFilter(params[0]);
      if (!parsed.ok) return { error: catalogueError('INVALID_PARAMS', parsed.message) };
      filter = parsed.filter;
    } else if (kind === 'newPendingTransactions' && !feed.canFeedPending) {
      return {
        error: catalogueError('NO_UPSTREAM', 'newPendingTransactions needs an upstream with a `ws` URL'),
      };
    }
    const id = newSubscriptionId();
    feed.add({ id, kind: kind as SubscriptionKind, filter, sink, sinceSeq: 0 });
    return { id, started: feed.whenStarted(FEED_START_WAIT_MS) };
  }

  unsubscribe(chainName: string, id: string): boolean {
    return this.feeds.get(chainName)?.remove(id) ?? false;
  }

  /** Follows a reloaded runtime; returns the chains that are gone (their clients are closed). */
  rebind(runtime: Runtime): string[] {
    this.runtime = runtime;
    const gone: string[] = [];
    for (const [name, feed] of this.feeds) {
      const chain = runtime.chains.get(name);
      if (chain) {
        feed.rebind({ chain, dispatcher: runtime.dispatcher });
      } else {
        feed.close();
        this.feeds.delete(name);
        gone.push(name);
      }
    }
    return gone;
  }

  status(chainName: string) {
    return this.feeds.get(chainName)?.status();
  }

  /** Subscriptions by chain and kind, for metrics. */
  counts(): { chain: string; kind: SubscriptionKind; count: number }[] {
    const out: { chain: string; kind: SubscriptionKind; count: number }[] = [];
    for (const feed of this.feeds.values()) {
      for (const kind of SUBSCRIPTION_KINDS)
        out.push({ chain: feed.chainName, kind, count: feed.countOf(kind) });
    }
    return out;
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
  }

  private feed(chainName: string): ChainFeed | undefined {
    let feed = this.feeds.get(chainName);
    if (feed) return feed;
    const chain = this.runtime.chains.get(chainName);
    if (!chain) return undefined;
    feed = new ChainFeed({ chain, dispatcher: this.runtime.dispatcher }, this.logger, this.observer);
    this.feeds.set(chainName, feed);
    return feed;
  }
}
