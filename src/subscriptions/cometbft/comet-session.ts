// One client connection's CometBFT subscriptions, keyed by query as a node keys them: the same query
// twice is refused ("already subscribed"), `unsubscribe` names the query, `unsubscribe_all` ends them
// all. Each notification carries the id of the `subscribe` request that made the subscription.
import { standardCatalogueError as cometError } from '../../rpc/standard-error.js';
import type { FamilyClient } from '../family-subscriptions.js';
import type { CometFeed, CometSubscription } from './comet-feed.js';
import { parseCometQuery } from './comet-query.js';

export type SessionOutcome = { ok: true } | { error: string };

export interface SessionHost {
  feed(chainName: string): CometFeed | undefined;
  maxPerConnection(): number;
}

export class CometSession {
  private readonly byQuery = new Map<string, CometSubscription>();

  constructor(
    private readonly conn: FamilyClient,
    private readonly host: SessionHost,
  ) {}

  get size(): number {
    return this.byQuery.size;
  }

  subscribe(idRaw: string, queryText: string): SessionOutcome {
    const limit = this.host.maxPerConnection();
    if (this.byQuery.size >= limit) return { error: cometError('SUBSCRIPTION_LIMIT', `limit is ${limit}`) };
    if (this.byQuery.has(queryText)) return { error: cometError('INVALID_PARAMS', 'already subscribed') };
    const query = parseCometQuery(queryText);
    if ('error' in query) return { error: cometError('INVALID_PARAMS', query.error) };
    const feed = this.host.feed(this.conn.chainName);
    if (!feed) return { error: cometError('NOT_FOUND', 'chain') };
    const sub: CometSubscription = { idRaw, query, sink: this.conn };
    this.byQuery.set(queryText, sub);
    feed.add(sub);
    return { ok: true };
  }

  unsubscribe(queryText: string): SessionOutcome {
    const sub = this.byQuery.get(queryText);
    if (!sub) return { error: cometError('INVALID_PARAMS', 'subscription not found') };
    this.byQuery.delete(queryText);
    this.host.feed(this.conn.chainName)?.remove(sub);
    return { ok: true };
  }

  unsubscribeAll(): SessionOutcome {
    if (this.byQuery.size === 0) return { error: cometError('INVALID_PARAMS', 'subscription not found') };
    this.end();
    return { ok: true };
  }

  /** Ends every subscription (the connection closed). */
  end(): void {
    const feed = this.host.feed(this.conn.chainName);
    for (const sub of this.byQuery.values()) feed?.remove(sub);
    this.byQuery.clear();
  }
}
