// CometBFT's `subscribe` / `unsubscribe` / `unsubscribe_all` as a family service: every CometBFT
// chain's feed and every connection's CometBFT session, owned by the WebSocket endpoint rather than by
// one runtime (a reload swaps the runtime, and the feeds follow it). Each notification carries the id
// of the `subscribe` request that made the subscription.
import { isRecord } from '../../families/params.js';
import type { Logger } from '../../log/logger.js';
import type { Observer } from '../../routing/observer.js';
import { standardCatalogueError } from '../../rpc/standard-error.js';
import type { Runtime } from '../../runtime/runtime.js';
import { FamilyFeeds } from '../family-feeds.js';
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
  private readonly feeds: FamilyFeeds<CometFeed>;
  private readonly sessions = new Map<FamilyClient, CometSession>();

  constructor(runtime: Runtime, logger: Logger, observer: Observer) {
    this.feeds = new FamilyFeeds('cometbft', runtime, (ctx) => new CometFeed(ctx, logger, observer));
  }

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
    this.feeds.rebind(runtime);
  }

  close(): void {
    this.feeds.close();
    this.sessions.clear();
  }

  status(chainName: string): FamilyFeedStatus | undefined {
    return this.feeds.status(chainName);
  }

  private session(client: FamilyClient): CometSession {
    let session = this.sessions.get(client);
    if (!session) {
      session = new CometSession(client, {
        feed: (chainName) => this.feeds.feed(chainName),
        maxPerConnection: () => this.feeds.runtime.config.subscriptions.maxPerConnection,
      });
      this.sessions.set(client, session);
    }
    return session;
  }
}
