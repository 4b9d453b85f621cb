// One chain's subscription feed, merged from all its upstreams: WebSocket newHeads where an upstream
// has `ws`, HTTP polling where it has not (or while its socket is down). Whatever announces a block
// first moves the canonical chain (canonical-chain.ts); gaps are backfilled and reorgs unwound before
// anything newer is announced. Subscribers get every canonical block once, in order, and every log of
// every canonical block once (again with `removed: true` when its block is orphaned). A WebSocket
// feed that drops, or stays silent while others announce blocks, counts against its upstream and its
// failure domains, as a hung HTTP attempt does. The feed runs only while it has subscribers.
//
// The pieces: head-sources.ts (WebSocket and polling), head-reconciler.ts (the canonical chain's
// moves), log-queue.ts (logs in order), subscription-fanout.ts (who gets what), feed-status.ts.

import type { Logger } from '../log/logger.js';
import type { FeedEvent, Observer } from '../routing/observer.js';
import type { Upstream } from '../routing/upstream.js';
import { noteServed } from '../stages/evm/consistent-reads.js';
import type { BlockHeader } from './block-header.js';
import { CanonicalChain, type ChainChange } from './canonical-chain.js';
import { recordFeedDown, recordFeedSilent } from './feed-evidence.js';
import { dispatcherFeedData, type FeedContext, type FeedData } from './feed-fetcher.js';
import type { FeedStatus } from './feed-status.js';
import { HeadReconciler } from './head-reconciler.js';
import { HeadSources } from './head-sources.js';
import { LogQueue } from './log-queue.js';
import type { Subscription, SubscriptionKind } from './subscription.js';
import { SubscriptionFanout } from './subscription-fanout.js';
import type { HeadSourceListener, WsHeadSource } from './ws-head-source.js';

/** Pending transaction hashes remembered to drop the same one announced by several upstreams. */
const SEEN_PENDING_LIMIT = 50_000;

export class ChainFeed implements HeadSourceListener {
  private readonly fanout: SubscriptionFanout;
  private readonly canonical: CanonicalChain;
  private readonly sources: HeadSources;
  private readonly reconciler: HeadReconciler;
  private readonly logQueue: LogQueue;
  private readonly seenPending = new Set<string>();
  private running = false;
  private readonly data: FeedData;
  /** Subscribe answers waiting for the feed's first block (whenStarted). */
  private startWaiters: (() => void)[] = [];

  constructor(
    private ctx: FeedContext,
    private readonly logger: Logger,
    private readonly observer: Observer,
    random: () => number = Math.random,
    data?: FeedData,
  ) {
    const s = ctx.chain.settings.subscriptions;
    const chainName = () => this.chainName;
    const isRunning = () => this.running;
    this.data = data ?? dispatcherFeedData(() => this.ctx);
    this.fanout = new SubscriptionFanout(chainName, observer);
    this.canonical = new CanonicalChain(s.reorgDepth, s.maxBackfill);
    this.sources = new HeadSources(
      () => this.ctx,
      (u) => this.data.latestOf(u),
      this,
      () => this.checkSilence(),
      random,
    );
    this.reconciler = new HeadReconciler(
      this.canonical,
      () => this.data.blocks,
      isRunning,
      (change, target) => this.apply(change, target),
      logger,
      chainName,
    );
    this.logQueue = new LogQueue(
      isRunning,
      (block) => this.data.logs(block),
      (logs, seq, removed) => this.fanout.deliverLogs(logs, seq, removed),
      (event, count) => this.event(event, count),
    );
  }

  get chainName(): string {
    return this.ctx.chain.name;
  }

  get subscriptionCount(): number {
    return this.fanout.size;
  }

  countOf(kind: SubscriptionKind): number {
    return this.fanout.countOf(kind);
  }

  /** Whether some upstream can feed newPendingTransactions (only WebSocket upstreams announce them). */
  get canFeedPending(): boolean {
    return this.ctx.chain.upstreams.some((u) => u.config.ws !== undefined);
  }

  add(sub: Subscription): void {
    sub.sinceSeq = this.logQueue.lastSeq + 1;
    this.fanout.add(sub);
    if (!this.running) this.start();
    if (sub.kind === 'newPendingTransactions') this.sources.setWantPending(true);
  }

  /** Settles once the feed has its first block (at once if it has), or after `maxWaitMs`. */
  whenStarted(maxWaitMs: number): Promise<void> {
    if (this.canonical.tip !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
      this.startWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Removes one subscription; the last one out stops the feed (and releases every upstream feed). */
  remove(id: string): boolean {
    if (!this.fanout.remove(id)) return false;
    if (this.fanout.countOf('newPendingTransactions') === 0) this.sources.setWantPending(false);
    if (this.fanout.size === 0) this.stop();
    return true;
  }

  /** A reload built a new chain runtime: follow its upstreams from now on, keeping the canonical chain. */
  rebind(ctx: FeedContext): void {
    this.ctx = ctx;
    if (this.running) this.sources.sync(this.wantsPending());
  }

  close(): void {
    this.fanout.clear();
    this.stop();
  }

  status(): FeedStatus {
    const tip = this.canonical.tip;
    return {
      active: this.running,
      head: tip?.number ?? null,
      headHash: tip?.hash ?? null,
      subscriptions: this.fanout.countsByKind(),
      sources: this.running ? this.sources.status(this.ctx.chain.upstreams) : [],
    };
  }

  // ---- what head sources announce ----

  head(upstream: Upstream, header: BlockHeader): void {
    // As for calls: only an upstream whose chain id was checked and is right may move the feed.
    if (!this.running || upstream.wrongChain || upstream.reportedIdentity === undefined) return;
    const nowMs = Date.now();
    this.ctx.chain.recordHead(upstream, header.number, nowMs);
    this.sources.noteHead(upstream, header.number, nowMs);
    const tip = this.canonical.tip;
    if ((tip && header.number < tip.number) || this.canonical.has(header.hash)) return;
    this.reconciler.offer(header);
  }

  pendingTransaction(_upstream: Upstream, hash: string): void {
    if (!this.running || this.seenPending.has(hash)) return;
    if (this.seenPending.size >= SEEN_PENDING_LIMIT) {
      const oldest = this.seenPending.values().next();
      if (!oldest.done) this.seenPending.delete(oldest.value);
    }
    this.seenPending.add(hash);
    this.fanout.deliver('newPendingTransactions', `"${hash}"`);
  }

  down(upstream: Upstream, reason: string, first: boolean): void {
    if (!this.running) return;
    recordFeedDown(this.ctx.chain, upstream, reason, Date.now());
    this.event('source_down');
    // Once per outage at warn; the reconnects failing after it are debug.
    const log = first ? this.logger.warn : this.logger.debug;
    log.call(this.logger, 'subscription feed down', {
      chain: this.chainName,
      upstream: upstream.name,
      reason,
    });
  }

  up(upstream: Upstream): void {
    this.logger.debug('subscription feed up', { chain: this.chainName, upstream: upstream.name });
  }

  // ---- lifecycle ----

  private wantsPending(): boolean {
    return this.fanout.countOf('newPendingTransactions') > 0;
  }

  private start(): void {
    this.running = true;
    this.sources.start(this.wantsPending());
  }

  private stop(): void {
    this.running = false;
    for (const started of this.startWaiters.splice(0)) started();
    this.sources.stop();
    this.reconciler.reset();
    this.canonical.reset();
    this.logQueue.clear();
    this.seenPending.clear();
  }

  /**
   * A WebSocket feed that is open but announced nothing for `silentAfter` since another source
   * announced the next block counts as a stall of its upstream, and is reconnected.
   */
  private checkSilence(): void {
    const tip = this.canonical.tip;
    if (!tip) return;
    const nowMs = Date.now();
    const silentAfterMs = this.ctx.chain.settings.subscriptions.silentAfterMs;
    this.sources.forEachSilent(tip.number, nowMs, silentAfterMs, (source, since) =>
      this.silent(source, since, tip.number, nowMs),
    );
  }

  private silent(source: WsHeadSource, since: number, tipNumber: number, nowMs: number): void {
    const u = source.upstream;
    recordFeedSilent(this.ctx.chain, u, 'silent while others announce blocks', since, nowMs, this.observer);
    this.event('source_silent');
    this.logger.warn('subscription feed silent', {
      chain: this.chainName,
      upstream: u.name,
      behind: tipNumber - source.lastNumber,
    });
    source.restart('silent');
  }

  // ---- announcing a change of the canonical chain ----

  private apply(change: ChainChange, target: BlockHeader): void {
    if (this.startWaiters.length > 0) {
      const waiters = this.startWaiters;
      this.startWaiters = [];
      for (const started of waiters) started();
    }
    if (change.skipped) {
      const count = change.skipped.to - change.skipped.from + 1;
      this.event('skipped_block', count);
      this.logger.error('subscription feed: gap longer than subscriptions.maxBackfill, blocks skipped', {
        chain: this.chainName,
        from: change.skipped.from,
        to: change.skipped.to,
      });
    }
    if (change.orphaned.length > 0) {
      this.event('reorg');
      this.event('orphaned_block', change.orphaned.length);
      this.logger.info('reorg', {
        chain: this.chainName,
        depth: change.orphaned.length,
        deep: change.deepReorg === true,
        newHead: target.number,
      });
      for (const block of change.orphaned) this.logQueue.unwind(block);
    }
    if (change.base) return;
    if (change.added.length > 1) this.event('backfilled_block', change.added.length - 1);
    const chain = this.ctx.chain;
    for (const block of change.added) {
      noteServed(chain, block.number);
      this.fanout.deliver('newHeads', block.json);
      if (this.fanout.countOf('logs') > 0) this.logQueue.add(block, block !== target);
    }
    this.forgetOld();
    void this.logQueue.pump();
    this.checkSilence();
  }

  private forgetOld(): void {
    const tip = this.canonical.tip;
    if (!tip) return;
    const reorgDepth = this.ctx.chain.settings.subscriptions.reorgDepth;
    this.sources.forgetBelow(tip.number - reorgDepth);
    this.logQueue.forgetOld(reorgDepth);
  }

  private event(event: FeedEvent, count = 1): void {
    this.observer.feedEvent?.(this.chainName, event, count);
  }
}
