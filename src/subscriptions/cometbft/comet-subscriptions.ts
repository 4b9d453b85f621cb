// Every CometBFT chain's subscription feed and every connection's CometBFT session, owned by the
// WebSocket endpoint rather than by one runtime: a reload swaps the runtime, and the feeds follow it.
import type { Logger } from '../../log/logger.js';
import type { Observer } from '../../routing/observer.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { FamilyConnection, FamilySubscriptions } from '../family-subscriptions.js';
import { CometFeed, type CometFeedStatus } from './comet-feed.js';
import { CometSession } from './comet-session.js';

export class CometSubscriptions implements FamilySubscriptions {
  private readonly feeds = new Map<string, CometFeed>();
  private readonly sessions = new Map<FamilyConnection, CometSession>();

  constructor(
    private runtime: Runtime,
    private readonly logger: Logger,
    private readonly observer: Observer,
  ) {}

  session(conn: FamilyConnection): CometSession {
    let session = this.sessions.get(conn);
    if (!session) {
      session = new CometSession(conn, {
        feed: (chainName) => this.feed(chainName),
        maxPerConnection: () => this.runtime.config.subscriptions.maxPerConnection,
      });
      this.sessions.set(conn, session);
    }
    return session;
  }

  closed(conn: FamilyConnection): void {
    this.sessions.get(conn)?.end();
    this.sessions.delete(conn);
  }

  rebind(runtime: Runtime): string[] {
    this.runtime = runtime;
    const gone: string[] = [];
    for (const [name, feed] of this.feeds) {
      const chain = runtime.chains.get(name);
      if (chain?.family.name === 'cometbft') {
        feed.rebind({ chain, dispatcher: runtime.dispatcher });
        continue;
      }
      feed.close();
      this.feeds.delete(name);
      gone.push(name);
    }
    return gone;
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
    this.sessions.clear();
  }

  status(chainName: string): CometFeedStatus | undefined {
    return this.feeds.get(chainName)?.status();
  }

  /** Subscriptions by chain and kind, for metrics. */
  counts(): { chain: string; kind: string; count: number }[] {
    return [...this.feeds.values()].flatMap((f) =>
      Object.entries(f.countsByKind()).map(([kind, count]) => ({ chain: f.chainName, kind, count })),
    );
  }

  private feed(chainName: string): CometFeed | undefined {
    const existing = this.feeds.get(chainName);
    if (existing) return existing;
    const chain = this.runtime.chains.get(chainName);
    if (chain?.family.name !== 'cometbft') return undefined;
    const feed = new CometFeed({ chain, dispatcher: this.runtime.dispatcher }, this.logger, this.observer);
    this.feeds.set(chainName, feed);
    return feed;
  }
}
