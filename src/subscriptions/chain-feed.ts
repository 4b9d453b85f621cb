// One chain's subscription feed, merged from all its upstreams: WebSocket newHeads where an upstream
// has `ws`, HTTP polling where it has not (or while its socket is down). Whatever announces a block
// first moves the canonical chain (canonical-chain.ts); gaps are backfilled and reorgs unwound before
// anything newer is announced. Subscribers get every canonical block once, in order, and every log of
// every canonical block once (again with `removed: true` when its block is orphaned). A WebSocket
// feed that drops, or stays silent while others announce blocks, counts against its upstream and its
// failure domains, as a hung HTTP attempt does. The feed runs only while it has subscribers.

import type { Logger } from '../log/logger.js';
import type { FeedEvent, Observer } from '../routing/observer.js';
import type { Upstream } from '../routing/upstream.js';
import { noteServed } from '../stages/evm/consistent-reads.js';
import { type BlockHeader, type Log, logJson } from './block-header.js';
import { CanonicalChain, MissingBlock } from './canonical-chain.js';
import { dispatcherFeedData, type FeedContext, type FeedData } from './feed-fetcher.js';
import { HeadPoller } from './head-poller.js';
import { matchesLog } from './log-filter.js';
import { notificationText, type Subscription, type SubscriptionKind } from './subscription.js';
import { type HeadSourceListener, WsHeadSource } from './ws-head-source.js';

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;
/** Pending transaction hashes remembered to drop the same one announced by several upstreams. */
const SEEN_PENDING_LIMIT = 50_000;

interface LogEntry {
  kind: 'add' | 'remove';
  block: BlockHeader;
  /** add: its sequence number; remove: the sequence number of the add it undoes. */
  seq: number;
  /** The block was orphaned before its logs went out: they never will. */
  cancelled: boolean;
  /** Fetched to fill a gap, not announced by a source. */
  backfilled: boolean;
}

interface DeliveredLogs {
  seq: number;
  logs: Log[];
}

export interface FeedSourceStatus {
  upstream: string;
  transport: 'ws' | 'poll';
  connected: boolean;
  lastHead: number | null;
}

export class ChainFeed implements HeadSourceListener {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly counts: Record<SubscriptionKind, number> = {
    newHeads: 0,
    logs: 0,
    newPendingTransactions: 0,
  };
  private readonly canonical: CanonicalChain;
  private readonly wsSources = new Map<Upstream, WsHeadSource>();
  private readonly poller: HeadPoller;
  /** When each recent height was first announced by any source (silence detection). */
  private readonly firstAnnouncedAt = new Map<number, number>();
  private readonly lastHeadOf = new Map<Upstream, number>();
  private pendingHead: BlockHeader | undefined;
  private reconciling = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly logQueue: LogEntry[] = [];
  private readonly delivered = new Map<string, DeliveredLogs>();
  private logSeq = 0;
  private pumping = false;
  private readonly seenPending = new Set<string>();
  private running = false;
  private readonly data: FeedData;

  constructor(
    private ctx: FeedContext,
    private readonly logger: Logger,
    private readonly observer: Observer,
    private readonly random: () => number = Math.random,
    data?: FeedData,
  ) {
    const s = ctx.chain.settings.subscriptions;
    this.data = data ?? dispatcherFeedData(() => this.ctx);
    this.canonical = new CanonicalChain(s.reorgDepth, s.maxBackfill);
    this.poller = new HeadPoller(
      () => this.ctx,
      (u) => this.data.latestOf(u),
      (u) => !this.wsSources.get(u)?.connected,
      (u, header) => this.head(u, header),
      () => this.checkSilence(),
      random,
    );
  }

  get chainName(): string {
    return this.ctx.chain.name;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  countOf(kind: SubscriptionKind): number {
    return this.counts[kind];
  }

  /** Whether some upstream can feed newPendingTransactions (only WebSocket upstreams announce them). */
  get canFeedPending(): boolean {
    return this.ctx.chain.upstreams.some((u) => u.config.ws !== undefined);
  }

  add(sub: Subscription): void {
    sub.sinceSeq = this.logSeq + 1;
    this.subscriptions.set(sub.id, sub);
    this.counts[sub.kind]++;
    if (!this.running) this.start();
    if (sub.kind === 'newPendingTransactions')
      for (const s of this.wsSources.values()) s.setWantPending(true);
  }

  /** Removes one subscription; the last one out stops the feed (and releases every upstream feed). */
  remove(id: string): boolean {
    const sub = this.subscriptions.get(id);
    if (!sub) return false;
    this.subscriptions.delete(id);
    this.counts[sub.kind]--;
    if (this.counts.newPendingTransactions === 0)
      for (const s of this.wsSources.values()) s.setWantPending(false);
    if (this.subscriptions.size === 0) this.stop();
    return true;
  }

  /** A reload built a new chain runtime: follow its upstreams from now on, keeping the canonical chain. */
  rebind(ctx: FeedContext): void {
    this.ctx = ctx;
    if (this.running) this.syncSources();
  }

  close(): void {
    this.subscriptions.clear();
    for (const kind of Object.keys(this.counts) as SubscriptionKind[]) this.counts[kind] = 0;
    this.stop();
  }

  status() {
    const sources: FeedSourceStatus[] = this.ctx.chain.upstreams.map((u) => {
      const ws = this.wsSources.get(u);
      return {
        upstream: u.name,
        transport: ws?.connected ? 'ws' : 'poll',
        connected: ws?.connected === true || this.poller.follows(u),
        lastHead: this.lastHeadOf.get(u) ?? null,
      };
    });
    const tip = this.canonical.tip;
    return {
      active: this.running,
      head: tip?.number ?? null,
      headHash: tip?.hash ?? null,
      subscriptions: { ...this.counts },
      sources: this.running ? sources : [],
    };
  }

  // ---- head sources ----

  head(upstream: Upstream, header: BlockHeader): void {
    // As for calls: only an upstream whose chain id was checked and is right may move the feed.
    if (!this.running || upstream.wrongChain || upstream.reportedIdentity === undefined) return;
    const nowMs = Date.now();
    this.ctx.chain.recordHead(upstream, header.number, nowMs);
    if ((this.lastHeadOf.get(upstream) ?? -1) < header.number) this.lastHeadOf.set(upstream, header.number);
    if (!this.firstAnnouncedAt.has(header.number)) this.firstAnnouncedAt.set(header.number, nowMs);
    const tip = this.canonical.tip;
    if ((tip && header.number < tip.number) || this.canonical.has(header.hash)) return;
    if (!this.pendingHead || header.number >= this.pendingHead.number) this.pendingHead = header;
    void this.reconcile();
  }

  pendingTransaction(_upstream: Upstream, hash: string): void {
    if (!this.running || this.seenPending.has(hash)) return;
    if (this.seenPending.size >= SEEN_PENDING_LIMIT)
      this.seenPending.delete(this.seenPending.values().next().value!);
    this.seenPending.add(hash);
    this.deliver('newPendingTransactions', `"${hash}"`);
  }

  down(upstream: Upstream, reason: string, first: boolean): void {
    if (!this.running) return;
    const nowMs = Date.now();
    upstream.lastError = `subscription feed: ${reason}`;
    upstream.failures.record(nowMs);
    for (const key of upstream.domains)
      this.ctx.chain.domains.get(key)?.record(upstream.name, true, nowMs, nowMs);
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

  private start(): void {
    this.running = true;
    this.syncSources();
    this.poller.start();
  }

  private stop(): void {
    this.running = false;
    this.poller.stop();
    for (const s of this.wsSources.values()) s.stop();
    this.wsSources.clear();
    clearTimeout(this.retryTimer);
    this.canonical.reset();
    this.pendingHead = undefined;
    this.logQueue.length = 0;
    this.delivered.clear();
    this.firstAnnouncedAt.clear();
    this.lastHeadOf.clear();
    this.seenPending.clear();
  }

  /** One WebSocket source per upstream with `ws`; an upstream a reload replaced gets a new one. */
  private syncSources(): void {
    const current = new Set(this.ctx.chain.upstreams);
    for (const [u, source] of this.wsSources) {
      if (!current.has(u)) {
        source.stop();
        this.wsSources.delete(u);
      }
    }
    for (const u of current) {
      if (u.config.ws === undefined || this.wsSources.has(u)) continue;
      const source = new WsHeadSource(u, u.config.ws, this, this.random);
      source.setWantPending(this.counts.newPendingTransactions > 0);
      this.wsSources.set(u, source);
      source.start();
    }
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
    for (const source of this.wsSources.values()) {
      if (!source.connected || source.lastNumber >= tip.number) continue;
      const missed =
        this.firstAnnouncedAt.get(source.lastNumber + 1) ?? this.firstAnnouncedAt.get(tip.number);
      const since = Math.max(missed ?? nowMs, source.lastAnnouncedAtMs);
      if (nowMs - since < silentAfterMs) continue;
      const u = source.upstream;
      u.lastError = 'subscription feed: silent while others announce blocks';
      u.failures.record(nowMs);
      for (const key of u.domains) this.ctx.chain.domains.get(key)?.recordStall(u.name, nowMs, since);
      this.observer.stall(this.chainName, u.name);
      this.event('source_silent');
      this.logger.warn('subscription feed silent', {
        chain: this.chainName,
        upstream: u.name,
        behind: tip.number - source.lastNumber,
      });
      source.restart('silent');
    }
  }

  // ---- the canonical chain ----

  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      while (this.running && this.pendingHead) {
        const target = this.pendingHead;
        this.pendingHead = undefined;
        let change: Awaited<ReturnType<CanonicalChain['adopt']>>;
        try {
          change = await this.canonical.adopt(target, this.data.blocks);
        } catch (err) {
          if (!(err instanceof MissingBlock)) throw err;
          // Not yet on any upstream we could reach: try again, unless a newer head came meanwhile.
          if (!this.pendingHead) this.pendingHead = target;
          this.logger.debug('subscription feed: block not found yet', {
            chain: this.chainName,
            block: err.message,
          });
          this.scheduleRetry();
          return;
        }
        this.retryMs = RETRY_MIN_MS;
        if (change && this.running) this.apply(change, target);
      }
    } finally {
      this.reconciling = false;
    }
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconcile(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  private apply(
    change: NonNullable<Awaited<ReturnType<CanonicalChain['adopt']>>>,
    target: BlockHeader,
  ): void {
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
      for (const block of change.orphaned) this.unwindLogs(block);
    }
    if (change.base) return;
    if (change.added.length > 1) this.event('backfilled_block', change.added.length - 1);
    const chain = this.ctx.chain;
    for (const block of change.added) {
      noteServed(chain, block.number);
      this.deliver('newHeads', block.json);
      if (this.counts.logs > 0) {
        const backfill = block !== target;
        this.logQueue.push({
          kind: 'add',
          block,
          seq: ++this.logSeq,
          cancelled: false,
          backfilled: backfill,
        });
      }
    }
    this.forgetOld();
    void this.pumpLogs();
    this.checkSilence();
  }

  private forgetOld(): void {
    const tip = this.canonical.tip;
    if (!tip) return;
    const floor = tip.number - this.ctx.chain.settings.subscriptions.reorgDepth;
    for (const n of this.firstAnnouncedAt.keys()) if (n < floor) this.firstAnnouncedAt.delete(n);
    const limit = this.ctx.chain.settings.subscriptions.reorgDepth;
    while (this.delivered.size > limit) this.delivered.delete(this.delivered.keys().next().value!);
  }

  // ---- logs ----

  /** The block left the canonical chain: its logs go out again as removed, or never if not yet sent. */
  private unwindLogs(block: BlockHeader): void {
    const queued = this.logQueue.find((e) => e.kind === 'add' && e.block.hash === block.hash);
    if (queued) {
      queued.cancelled = true;
      return;
    }
    const sent = this.delivered.get(block.hash);
    if (sent)
      this.logQueue.push({ kind: 'remove', block, seq: sent.seq, cancelled: false, backfilled: false });
  }

  /** Delivers queued log events strictly in order; a block's logs are fetched until some upstream has them. */
  private async pumpLogs(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running && this.logQueue.length > 0) {
        const entry = this.logQueue[0]!;
        if (entry.kind === 'add' && !entry.cancelled) {
          const logs = await this.logsOf(entry);
          if (logs && !entry.cancelled && this.running) {
            this.deliverLogs(logs, entry.seq, false);
            if (entry.backfilled && logs.length > 0) this.event('backfilled_log', logs.length);
            this.delivered.set(entry.block.hash, { seq: entry.seq, logs });
          }
        } else if (entry.kind === 'remove') {
          const sent = this.delivered.get(entry.block.hash);
          if (sent) this.deliverLogs(sent.logs, sent.seq, true);
          this.delivered.delete(entry.block.hash);
        }
        if (this.logQueue[0] === entry) this.logQueue.shift();
      }
    } finally {
      this.pumping = false;
    }
  }

  private async logsOf(entry: LogEntry): Promise<Log[] | undefined> {
    let waitMs = RETRY_MIN_MS;
    while (this.running && !entry.cancelled) {
      const logs = await this.data.logs(entry.block);
      if (logs) return logs;
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      waitMs = Math.min(RETRY_MAX_MS, waitMs * 2);
    }
    return undefined;
  }

  // ---- fan-out ----

  private deliver(kind: SubscriptionKind, resultJson: string): void {
    if (this.counts[kind] === 0) return;
    let sent = 0;
    for (const sub of this.subscriptions.values()) {
      if (sub.kind !== kind) continue;
      sub.sink.notify(notificationText(sub.id, resultJson));
      sent++;
    }
    this.observer.notifications?.(this.chainName, kind, sent);
  }

  /** `seq`: the add these logs belong to; a subscription made after it never saw them. */
  private deliverLogs(logs: Log[], seq: number, removed: boolean): void {
    let sent = 0;
    const texts = logs.map((log) => logJson(log, removed));
    for (const sub of this.subscriptions.values()) {
      if (sub.kind !== 'logs' || sub.sinceSeq > seq) continue;
      for (let i = 0; i < logs.length; i++) {
        if (sub.filter && !matchesLog(sub.filter, logs[i]!)) continue;
        sub.sink.notify(notificationText(sub.id, texts[i]!));
        sent++;
      }
    }
    this.observer.notifications?.(this.chainName, 'logs', sent);
  }

  private event(event: FeedEvent, count = 1): void {
    this.observer.feedEvent?.(this.chainName, event, count);
  }
}
