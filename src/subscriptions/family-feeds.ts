// A family service's feeds, one per chain of the family: made on the chain's first subscription,
// following reloads (a chain that is gone, or no longer of the family, has its feed closed).
import type { FamilyName } from '../config/family-names.js';
import type { Runtime } from '../runtime/runtime.js';
import type { FamilyFeedStatus } from './family-subscriptions.js';
import type { FeedContext } from './feed-fetcher.js';

export interface FamilyFeed {
  rebind(ctx: FeedContext): void;
  close(): void;
  status(): FamilyFeedStatus;
}

export class FamilyFeeds<F extends FamilyFeed> {
  private readonly feeds = new Map<string, F>();

  constructor(
    private readonly family: FamilyName,
    private current: Runtime,
    private readonly make: (ctx: FeedContext) => F,
  ) {}

  /** The live runtime (a reload swaps it). */
  get runtime(): Runtime {
    return this.current;
  }

  /** The chain's feed, made on first use; undefined when the chain is not there or not the family's. */
  feed(chainName: string): F | undefined {
    const existing = this.feeds.get(chainName);
    if (existing) return existing;
    const chain = this.current.chains.get(chainName);
    if (chain?.family.name !== this.family) return undefined;
    const feed = this.make({ chain, dispatcher: this.current.dispatcher });
    this.feeds.set(chainName, feed);
    return feed;
  }

  rebind(runtime: Runtime): void {
    this.current = runtime;
    for (const [name, feed] of this.feeds) {
      const chain = runtime.chains.get(name);
      if (chain?.family.name === this.family) {
        feed.rebind({ chain, dispatcher: runtime.dispatcher });
        continue;
      }
      feed.close();
      this.feeds.delete(name);
    }
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
  }

  status(chainName: string): FamilyFeedStatus | undefined {
    return this.feeds.get(chainName)?.status();
  }
}
