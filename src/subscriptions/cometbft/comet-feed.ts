// One CometBFT chain's subscription feed, merged from all its upstreams: a NewBlock subscription on
// each upstream with `ws`, `status` polling of the others (and of any whose socket is down). Heights
// are delivered once each, strictly in order: a height some source announced above the next one to
// deliver means the ones between are fetched (`block` + `block_results`, or `tx_search` by height when
// no upstream serves block_results; through the dispatcher) and delivered first. CometBFT blocks are final, so there is no reorg to unwind. Each client query is
// evaluated here against each event's composite keys: a node serves the whole chain's clients with one
// subscription. A socket that drops, or stays silent while others announce, counts against its
// upstream and its failure domains. The feed runs only while it has subscribers.
import type { Logger } from '../../log/logger.js';
import type { FeedEvent, Observer } from '../../routing/observer.js';
import type { Upstream } from '../../routing/upstream.js';
import type { FamilyFeedStatus } from '../family-subscriptions.js';
import { recordFeedDown, recordFeedSilent } from '../feed-evidence.js';
import type { FeedContext } from '../feed-fetcher.js';
import { RETRY_MAX_MS, RETRY_MIN_MS } from '../feed-retry.js';
import type { NotificationSink } from '../subscription.js';
import { type CometFeedData, dispatcherCometData } from './comet-fetch.js';
import type { CometEvent, CometHeight } from './comet-height.js';
import { type CometEventType, type CometQuery, queryMatches } from './comet-query.js';
import { CometSources } from './comet-sources.js';
import type { CometSourceListener, CometWsSource } from './comet-ws-source.js';

/** One client query: notifications carry the id of the `subscribe` request that made it. */
export interface CometSubscription {
  readonly idRaw: string;
  readonly query: CometQuery;
  readonly sink: NotificationSink;
}

/** A subscription's kind for /status and metrics: the one event type its query names, or `any`. */
type CometKind = CometEventType | 'any';

function kindOf(query: CometQuery): CometKind {
  return query.types.length === 1 ? query.types[0]! : 'any';
}

export class CometFeed implements CometSourceListener {
  private readonly subscriptions = new Set<CometSubscription>();
  private readonly sources: CometSources;
  private readonly data: CometFeedData;
  /** Heights pushed by WebSocket sources, waiting for their turn. */
  private readonly pushed = new Map<number, CometHeight>();
  private running = false;
  private delivered: number | undefined;
  private tip = -1;
  private pumping = false;
  private wake: (() => void) | undefined;

  constructor(
    private ctx: FeedContext,
    private readonly logger: Logger,
    private readonly observer: Observer,
    random: () => number = Math.random,
    data?: CometFeedData,
  ) {
    this.data = data ?? dispatcherCometData(() => this.ctx);
    this.sources = new CometSources(
      () => this.ctx,
      (u) => this.data.latestOf(u),
      this,
      () => this.checkSilence(),
      random,
    );
  }

  get chainName(): string {
    return this.ctx.chain.name;
  }

  get size(): number {
    return this.subscriptions.size;
  }

  add(sub: CometSubscription): void {
    this.subscriptions.add(sub);
    if (!this.running) this.start();
  }

  /** The last subscription out stops the feed (and releases every upstream socket). */
  remove(sub: CometSubscription): void {
    if (!this.subscriptions.delete(sub)) return;
    if (this.subscriptions.size === 0) this.stop();
  }

  rebind(ctx: FeedContext): void {
    this.ctx = ctx;
    if (this.running) this.sources.sync();
  }

  close(): void {
    this.subscriptions.clear();
    this.stop();
  }

  /** `head`: the last height delivered. */
  status(): FamilyFeedStatus {
    return {
      family: 'cometbft',
      active: this.running,
      head: this.delivered ?? null,
      subscriptions: this.countsByKind(),
      sources: this.running ? this.sources.status(this.ctx.chain.upstreams) : [],
    };
  }

  private countsByKind(): Record<CometKind, number> {
    const counts: Record<CometKind, number> = { NewBlock: 0, NewBlockHeader: 0, Tx: 0, any: 0 };
    for (const sub of this.subscriptions) counts[kindOf(sub.query)]++;
    return counts;
  }

  // ---- what sources announce ----

  height(upstream: Upstream, height: number, data: CometHeight | undefined): void {
    // As for calls: only an upstream whose network was checked and is right may move the feed.
    if (!this.running || upstream.wrongChain || upstream.reportedIdentity === undefined) return;
    const nowMs = Date.now();
    this.ctx.chain.recordHead(upstream, height, nowMs);
    this.sources.noteHeight(upstream, height, nowMs);
    // The first height seen is where the feed starts: subscribers get what happens from now on.
    if (this.delivered === undefined) this.delivered = height - 1;
    if (height <= this.delivered) return;
    if (data && !this.pushed.has(height)) this.pushed.set(height, data);
    if (height > this.tip) this.tip = height;
    void this.pump();
  }

  down(upstream: Upstream, reason: string, first: boolean): void {
    if (!this.running) return;
    recordFeedDown(this.ctx.chain, upstream, reason, Date.now());
    this.event('source_down');
    const log = first ? this.logger.warn : this.logger.debug;
    log.call(this.logger, 'subscription feed down', {
      chain: this.chainName,
      upstream: upstream.name,
      reason,
    });
  }

  // ---- lifecycle ----

  private start(): void {
    this.running = true;
    this.sources.start();
  }

  private stop(): void {
    this.running = false;
    this.sources.stop();
    this.pushed.clear();
    this.delivered = undefined;
    this.tip = -1;
    this.wake?.();
  }

  private checkSilence(): void {
    if (this.tip < 0) return;
    const nowMs = Date.now();
    const silentAfterMs = this.ctx.chain.settings.subscriptions.silentAfterMs;
    this.sources.forEachSilent(this.tip, nowMs, silentAfterMs, (source, since) =>
      this.silent(source, since, nowMs),
    );
  }

  private silent(source: CometWsSource, since: number, nowMs: number): void {
    recordFeedSilent(
      this.ctx.chain,
      source.upstream,
      'silent while others announce heights',
      since,
      nowMs,
      this.observer,
    );
    this.event('source_silent');
    this.logger.warn('subscription feed silent', {
      chain: this.chainName,
      upstream: source.upstream.name,
      behind: this.tip - source.lastHeight,
    });
    source.restart('silent');
  }

  // ---- delivering heights in order ----

  /** One pump at a time: each height once, in order, the missed ones fetched before newer ones. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let retryMs = RETRY_MIN_MS;
    try {
      while (this.running && this.delivered !== undefined && this.delivered < this.tip) {
        this.skipBeyondBackfill();
        const next: number = this.delivered + 1;
        const pushed = this.pushed.get(next);
        const height = pushed ?? (await this.data.height(next));
        if (!this.running || this.delivered !== next - 1) break;
        if (!height) {
          // No upstream has it yet (or none answered): ask again later, doubling the wait.
          await this.sleep(retryMs);
          retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
          continue;
        }
        retryMs = RETRY_MIN_MS;
        if (!pushed) this.event('backfilled_block');
        this.pushed.delete(next);
        this.delivered = next;
        this.deliver(height);
        // First announcements are kept a while: a silent socket is timed from the height after its last.
        this.sources.forgetBelow(next - this.ctx.chain.settings.subscriptions.reorgDepth);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A gap longer than `subscriptions.maxBackfill` is skipped (counted, logged), not fetched. */
  private skipBeyondBackfill(): void {
    const maxBackfill = this.ctx.chain.settings.subscriptions.maxBackfill;
    const delivered = this.delivered!;
    if (this.tip - delivered <= maxBackfill) return;
    const from = delivered + 1;
    const to = this.tip - maxBackfill;
    this.event('skipped_block', to - from + 1);
    this.logger.error('subscription feed: gap longer than subscriptions.maxBackfill, heights skipped', {
      chain: this.chainName,
      from,
      to,
    });
    for (const h of this.pushed.keys()) if (h <= to) this.pushed.delete(h);
    this.delivered = to;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private deliver(height: CometHeight): void {
    for (const event of height.events) {
      let eventsJson: string | undefined;
      let sent = 0;
      for (const sub of this.subscriptions) {
        if (!sub.query.types.includes(event.type) || !queryMatches(sub.query, event.events)) continue;
        eventsJson ??= sortedJson(event.events);
        sub.sink.notify(notificationText(sub, event, eventsJson));
        sent++;
      }
      if (sent > 0) this.observer.notifications?.(this.chainName, event.type, sent);
    }
  }

  private event(event: FeedEvent, count = 1): void {
    this.observer.feedEvent?.(this.chainName, event, count);
  }
}

/** Keys in order, as Go writes a map. */
function sortedJson(events: CometEvent['events']): string {
  const out: Record<string, readonly string[]> = {};
  for (const key of Object.keys(events).sort()) out[key] = events[key]!;
  return JSON.stringify(out);
}

/** CometBFT 0.38's event frame: a JSON-RPC response under the subscribe request's id. */
function notificationText(sub: CometSubscription, event: CometEvent, eventsJson: string): string {
  return (
    `{"jsonrpc":"2.0","id":${sub.idRaw},"result":{"query":${JSON.stringify(sub.query.text)},` +
    `"data":{"type":"tendermint/event/${event.type}","value":${event.valueJson}},"events":${eventsJson}}}`
  );
}
