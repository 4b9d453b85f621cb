// CometBFT's `subscribe` / `unsubscribe` / `unsubscribe_all` as a family service: every CometBFT
// chain's feed and every connection's CometBFT session, owned by the WebSocket endpoint rather than by
// one runtime (a reload swaps the runtime, and the feeds follow it). Each notification carries the id
// of the `subscribe` request that made the subscription.
import { isRecord } from '../../families/params.js';
import type { Logger } from '../../log/logger.js';
import type { Observer } from '../../routing/observer.js';
import { standardCatalogueError } from '../../rpc/standard-error.js';
import type { Runtime } from '../../runtime/runtime.js';
import type {
  FamilyAnswer,
  FamilyClient,
  FamilyFeedStatus,
  FamilySubscriptions,
} from '../family-subscriptions.js';
import { CometFeed } from './comet-feed.js';
import { CometSession, type SessionOutcome } from './comet-session.js';

export const COMET_SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set([
  'subscribe',
  'unsubscribe',
  'unsubscribe_all',
]);

/** `{"query": "…"}` (CometBFT's named params) or `["…"]`. */
function queryParam(params: unknown): string | undefined {
  const value = Array.isArray(params) ? params[0] : isRecord(params) ? params.query : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A node answers a subscribe or unsubscribe with an empty object. */
function answer(outcome: SessionOutcome): FamilyAnswer {
  return 'error' in outcome ? outcome : { result: '{}' };
}

export class CometSubscriptions implements FamilySubscriptions {
  readonly family = 'cometbft' as const;
  private readonly feeds = new Map<string, CometFeed>();
  private readonly sessions = new Map<FamilyClient, CometSession>();

  constructor(
    private runtime: Runtime,
    private readonly logger: Logger,
    private readonly observer: Observer,
  ) {}

  handles(method: string): boolean {
    return COMET_SUBSCRIPTION_METHODS.has(method);
  }

  call(client: FamilyClient, method: string, params: unknown, id: string | undefined): FamilyAnswer {
    const session = this.session(client);
    if (method === 'unsubscribe_all') return answer(session.unsubscribeAll());
    const query = queryParam(params);
    if (query === undefined)
      return {
        error: standardCatalogueError('INVALID_PARAMS', 'expected {"query": "tm.event=\'NewBlock\'"}'),
      };
    if (method === 'unsubscribe') return answer(session.unsubscribe(query));
    // Notifications carry the subscribe request's id: a request without one could never be told apart.
    if (id === undefined)
      return { error: standardCatalogueError('INVALID_REQUEST', 'subscribe needs an id') };
    return answer(session.subscribe(id, query));
  }

  dropClient(client: FamilyClient): void {
    this.sessions.get(client)?.end();
    this.sessions.delete(client);
  }

  rebind(runtime: Runtime): void {
    this.runtime = runtime;
    for (const [name, feed] of this.feeds) {
      const chain = runtime.chains.get(name);
      if (chain?.family.name === 'cometbft') {
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
    this.sessions.clear();
  }

  status(chainName: string): FamilyFeedStatus | undefined {
    return this.feeds.get(chainName)?.status();
  }

  private session(client: FamilyClient): CometSession {
    let session = this.sessions.get(client);
    if (!session) {
      session = new CometSession(client, {
        feed: (chainName) => this.feed(chainName),
        maxPerConnection: () => this.runtime.config.subscriptions.maxPerConnection,
      });
      this.sessions.set(client, session);
    }
    return session;
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
