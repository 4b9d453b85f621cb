// Solana PubSub on a chain's WebSocket (ws://host/<chain>): agave's subscribe and unsubscribe methods
// with integer ids unique per connection, one feed per chain (solana-feed.ts), identical subscriptions
// sharing one watch. Errors carry only standard JSON-RPC codes (the catalogue name in `data`).
import type { Logger } from '../../log/logger.js';
import type { Observer } from '../../routing/observer.js';
import type { ErrorName } from '../../rpc/errors.js';
import { standardCatalogueError } from '../../rpc/standard-error.js';
import type { Runtime } from '../../runtime/runtime.js';
import { FamilyFeeds } from '../family-feeds.js';
import type {
  FamilyAnswer,
  FamilyClient,
  FamilyFeedStatus,
  FamilySubscriptions,
} from '../family-subscriptions.js';
import type { NotificationSink } from '../subscription.js';
import { SolanaFeed } from './solana-feed.js';
import { readSubscribe, SUBSCRIBE_METHODS, UNSUBSCRIBE_METHODS } from './solana-requests.js';
import type { ClientSub, SolanaWatch } from './solana-watch.js';

interface ClientState {
  nextId: number;
  readonly subs: Map<number, { sub: ClientSub; watch: SolanaWatch; feed: SolanaFeed }>;
}

function error(name: ErrorName, detail?: string): FamilyAnswer {
  return { error: standardCatalogueError(name, detail) };
}

export class SolanaSubscriptions implements FamilySubscriptions {
  readonly family = 'solana' as const;
  private readonly feeds: FamilyFeeds<SolanaFeed>;
  private readonly clients = new Map<NotificationSink, ClientState>();

  constructor(runtime: Runtime, logger: Logger, observer: Observer) {
    this.feeds = new FamilyFeeds(
      'solana',
      runtime,
      (ctx) => new SolanaFeed(ctx, logger, observer, (sink, id) => this.forget(sink, id)),
    );
  }

  handles(method: string): boolean {
    return method in SUBSCRIBE_METHODS || method in UNSUBSCRIBE_METHODS;
  }

  call(client: FamilyClient, method: string, params: unknown): FamilyAnswer {
    const kind = UNSUBSCRIBE_METHODS[method];
    if (kind) return this.unsubscribe(client, kind, params);
    const read = readSubscribe(method, params);
    if (!read.ok) return error('INVALID_PARAMS', read.message);
    const state = this.clients.get(client) ?? { nextId: 0, subs: new Map() };
    const limit = this.feeds.runtime.config.subscriptions.maxPerConnection;
    if (state.subs.size >= limit) return error('SUBSCRIPTION_LIMIT', `limit is ${limit}`);
    const feed = this.feeds.feed(client.chainName);
    if (!feed) return error('NOT_FOUND', 'chain');
    this.clients.set(client, state);
    const sub: ClientSub = { id: state.nextId++, sink: client };
    const watch = feed.watch(read.spec);
    watch.clients.add(sub);
    state.subs.set(sub.id, { sub, watch, feed });
    return { result: String(sub.id) };
  }

  dropClient(client: FamilyClient): void {
    const state = this.clients.get(client);
    if (!state) return;
    this.clients.delete(client);
    for (const { sub, watch, feed } of state.subs.values()) {
      watch.clients.delete(sub);
      feed.release(watch);
    }
  }

  rebind(runtime: Runtime): void {
    this.feeds.rebind(runtime);
  }

  close(): void {
    this.feeds.close();
    this.clients.clear();
  }

  status(chainName: string): FamilyFeedStatus | undefined {
    return this.feeds.status(chainName);
  }

  private unsubscribe(client: FamilyClient, kind: string, params: unknown): FamilyAnswer {
    const id = Array.isArray(params) ? params[0] : undefined;
    const entry = typeof id === 'number' ? this.clients.get(client)?.subs.get(id) : undefined;
    // agave: an id that is not a live subscription of this kind is "Invalid subscription id."
    if (!entry || entry.watch.spec.kind !== kind) return error('INVALID_PARAMS', 'Invalid subscription id.');
    this.forget(client, entry.sub.id);
    entry.watch.clients.delete(entry.sub);
    entry.feed.release(entry.watch);
    return { result: 'true' };
  }

  /** Ids are never reused on a connection: its state stays until it closes (dropClient). */
  private forget(sink: NotificationSink, id: number): void {
    this.clients.get(sink)?.subs.delete(id);
  }
}
