// One Solana chain's subscriptions, fed from every upstream: an agave PubSub socket per upstream with
// `ws` (solana-source.ts), HTTP polling while none is up or every one has gone quiet. Identical client
// subscriptions share one watch (solana-watch.ts), subscribed on every open socket, so the fastest
// upstream's notification goes out and the others' copies are dropped. A socket that drops, or stays
// silent while others announce slots, is evidence against its upstream and its failure domains, and
// every watch is then re-read over HTTP (solana-rereads.ts): signature statuses (polled, bounded, until
// the commitment is reached), accounts and program accounts (minContextSlot: the last slot delivered),
// logs backfilled from blocks. The feed runs only while it has watches.
import type { Logger } from '../../log/logger.js';
import type { FeedEvent, Observer } from '../../routing/observer.js';
import type { Upstream } from '../../routing/upstream.js';
import type { FamilyFeedStatus } from '../family-subscriptions.js';
import { recordFeedDown, recordFeedSilent } from '../feed-evidence.js';
import type { FeedContext } from '../feed-fetcher.js';
import type { NotificationSink } from '../subscription.js';
import { dispatcherReads, type SolanaReads } from './solana-reads.js';
import type { SolanaKind, WatchSpec } from './solana-requests.js';
import {
  accountBaseline,
  backfillLogs,
  COMMITMENT_LAG,
  type LogsProgress,
  reread,
} from './solana-rereads.js';
import { SolanaSource, type SolanaSourceListener } from './solana-source.js';
import { SolanaWatch } from './solana-watch.js';

/** How long after a failover (or its start) a signature's status is polled over HTTP, at most. */
const SIGNATURE_POLL_MS = 120_000;
const JITTER = 0.1;

interface Entry {
  readonly watch: SolanaWatch;
  /** Re-read over HTTP on each tick until this time (0: not wanted). */
  rereadUntilMs: number;
  reading: boolean;
  readonly logs: LogsProgress;
}

export class SolanaFeed implements SolanaSourceListener {
  private readonly entries = new Map<string, Entry>();
  private readonly sources = new Map<Upstream, SolanaSource>();
  private readonly reads: SolanaReads;
  private mergedSlot = -1;
  private startedAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private ctx: FeedContext,
    private readonly logger: Logger,
    private readonly observer: Observer,
    /** Told when a subscription ends on its own (a delivered signature): the client's id is gone. */
    private readonly ended: (sink: NotificationSink, id: number) => void,
    private readonly random: () => number = Math.random,
    reads?: SolanaReads,
  ) {
    this.reads = reads ?? dispatcherReads(() => this.ctx);
  }

  get chainName(): string {
    return this.ctx.chain.name;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The watch for a spec, made (and subscribed upstream) when it is the first of its kind. */
  watch(spec: WatchSpec): SolanaWatch {
    const found = this.entries.get(spec.key);
    if (found) return found.watch;
    const watch = new SolanaWatch(spec, (n) => this.observer.notifications?.(this.chainName, spec.kind, n));
    watch.startSlot = Math.max(0, this.mergedSlot - COMMITMENT_LAG[spec.commitment]);
    // A signature processed before any upstream heard of the subscription is never notified by one:
    // its status is read at once and polled (bounded); where no socket is up, everything is polled.
    const entry: Entry = {
      watch,
      rereadUntilMs: spec.kind === 'signature' ? Date.now() + SIGNATURE_POLL_MS : 0,
      reading: false,
      logs: { from: undefined, skipped: 0 },
    };
    this.entries.set(spec.key, entry);
    for (const source of this.sources.values()) source.want(spec);
    if (!this.running) this.start();
    if (spec.kind === 'signature') void this.read(entry);
    if (spec.kind === 'account') void accountBaseline(watch, this.reads).catch(() => {});
    return watch;
  }

  /** Drops a watch whose last client left; the last watch out stops the feed. */
  release(watch: SolanaWatch): void {
    if (watch.clients.size > 0 || this.entries.get(watch.spec.key)?.watch !== watch) return;
    this.entries.delete(watch.spec.key);
    for (const source of this.sources.values()) source.unwant(watch.spec.key);
    if (this.entries.size === 0) this.stop();
  }

  /** A reload built a new chain runtime: follow its upstreams from now on. */
  rebind(ctx: FeedContext): void {
    this.ctx = ctx;
    if (this.running) this.syncSources();
  }

  close(): void {
    for (const entry of this.entries.values()) entry.watch.clients.clear();
    this.entries.clear();
    this.stop();
  }

  status(): FamilyFeedStatus {
    const subscriptions: Record<SolanaKind, number> = {
      slot: 0,
      root: 0,
      signature: 0,
      account: 0,
      program: 0,
      logs: 0,
    };
    for (const { watch } of this.entries.values()) subscriptions[watch.spec.kind] += watch.clients.size;
    const sources = this.running
      ? this.ctx.chain.upstreams.map((u) => {
          const s = this.sources.get(u);
          return {
            upstream: u.name,
            transport: s?.connected ? ('ws' as const) : ('poll' as const),
            connected: s?.connected === true,
            lastHead: s && s.lastSlot >= 0 ? s.lastSlot : null,
          };
        })
      : [];
    const head = this.mergedSlot >= 0 ? this.mergedSlot : null;
    return { family: 'solana', active: this.running, head, subscriptions, sources };
  }

  // ---- what sources announce ----

  slot(source: SolanaSource, slot: number, resultRaw: string): void {
    if (!this.trusted(source.upstream)) return;
    const nowMs = Date.now();
    this.ctx.chain.recordHead(source.upstream, slot, nowMs);
    if (slot >= this.mergedSlot) source.behindSinceMs = undefined;
    if (slot > this.mergedSlot) {
      this.mergedSlot = slot;
      for (const other of this.sources.values())
        if (other.connected && other.lastSlot < slot && other.behindSinceMs === undefined)
          other.behindSinceMs = nowMs;
    }
    this.entries.get('slot:[]')?.watch.offer(resultRaw, 'feed');
  }

  notification(source: SolanaSource, key: string, resultRaw: string): void {
    if (!this.trusted(source.upstream)) return;
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.watch.offer(resultRaw, 'feed');
    if (entry.watch.done) this.finish(entry);
  }

  down(source: SolanaSource, reason: string, first: boolean): void {
    if (!this.running) return;
    recordFeedDown(this.ctx.chain, source.upstream, reason, Date.now());
    this.event('source_down');
    const log = first ? this.logger.warn : this.logger.debug;
    log.call(this.logger, 'solana subscription feed down', {
      chain: this.chainName,
      upstream: source.upstream.name,
      reason,
    });
    if (first) this.failover(source);
  }

  up(source: SolanaSource): void {
    this.logger.debug('solana subscription feed up', {
      chain: this.chainName,
      upstream: source.upstream.name,
    });
  }

  // ---- lifecycle ----

  private start(): void {
    this.running = true;
    this.startedAtMs = Date.now();
    this.syncSources();
    this.tick();
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const source of this.sources.values()) source.stop();
    this.sources.clear();
    this.mergedSlot = -1;
  }

  private syncSources(): void {
    const current = new Set(this.ctx.chain.upstreams);
    for (const [u, source] of this.sources) {
      if (current.has(u)) continue;
      source.stop();
      this.sources.delete(u);
    }
    for (const u of current) {
      if (u.config.ws === undefined || this.sources.has(u)) continue;
      const source = new SolanaSource(u, u.config.ws, this, this.random);
      for (const { watch } of this.entries.values()) source.want(watch.spec);
      this.sources.set(u, source);
      source.start();
    }
  }

  private trusted(u: Upstream): boolean {
    // As for calls: only an upstream whose genesis hash was checked and is right may feed clients.
    return this.running && !u.wrongChain && u.reportedIdentity !== undefined;
  }

  /** A source was lost: every watch is re-read, and logs backfilled from the source's last slot. */
  private failover(source: SolanaSource): void {
    const nowMs = Date.now();
    const lastSlot = source.lastSlot >= 0 ? source.lastSlot : this.mergedSlot;
    for (const entry of this.entries.values()) {
      const { spec } = entry.watch;
      if (spec.kind === 'logs' && lastSlot >= 0) {
        const from = Math.max(0, lastSlot - COMMITMENT_LAG[spec.commitment]);
        // A backfill still under way keeps its older start; a finished one starts over from here.
        entry.logs.from = entry.rereadUntilMs > nowMs ? Math.min(entry.logs.from ?? from, from) : from;
      }
      entry.rereadUntilMs = spec.kind === 'signature' ? nowMs + SIGNATURE_POLL_MS : Number.POSITIVE_INFINITY;
    }
    this.event('reread', this.entries.size);
    void this.readAll(false);
  }

  private tick(): void {
    if (!this.running) return;
    this.checkSilence();
    void this.readAll(this.polling());
    const interval = this.ctx.chain.settings.subscriptions.pollIntervalMs;
    this.timer = setTimeout(() => this.tick(), interval * (1 - JITTER + 2 * JITTER * this.random()));
    this.timer.unref();
  }

  /** No socket is up, or every open one has been quiet for `silentAfter`: HTTP follows the chain. */
  private polling(): boolean {
    const quietBefore = Date.now() - this.ctx.chain.settings.subscriptions.silentAfterMs;
    // Sockets still connecting at the start are given `silentAfter` before HTTP takes over.
    if (this.sources.size > 0 && this.startedAtMs > quietBefore) return false;
    for (const s of this.sources.values()) if (s.connected && s.lastSlotAtMs > quietBefore) return false;
    return true;
  }

  private checkSilence(): void {
    const nowMs = Date.now();
    const silentAfterMs = this.ctx.chain.settings.subscriptions.silentAfterMs;
    for (const source of this.sources.values()) {
      const since = source.behindSinceMs;
      if (!source.connected || since === undefined || nowMs - since < silentAfterMs) continue;
      const u = source.upstream;
      recordFeedSilent(this.ctx.chain, u, 'silent while others announce slots', since, nowMs, this.observer);
      this.event('source_silent');
      this.logger.warn('solana subscription feed silent', {
        chain: this.chainName,
        upstream: u.name,
        behind: this.mergedSlot - source.lastSlot,
      });
      this.failover(source);
      source.restart('silent');
    }
  }

  private async readAll(polling: boolean): Promise<void> {
    const nowMs = Date.now();
    const slotEntry = this.entries.get('slot:[]');
    if (polling && !slotEntry) await this.pollSlot();
    for (const entry of this.entries.values()) {
      const { kind } = entry.watch.spec;
      const inWindow = entry.rereadUntilMs > nowMs;
      const wanted = inWindow || (polling && (kind !== 'signature' || inWindow));
      if (wanted) void this.read(entry);
    }
  }

  /** Polling without a slot watch still moves the merged slot (silence detection needs it). */
  private async pollSlot(): Promise<void> {
    const slot = await this.reads.slot('processed');
    if (slot !== undefined && slot > this.mergedSlot && this.running) {
      const nowMs = Date.now();
      this.mergedSlot = slot;
      for (const s of this.sources.values())
        if (s.connected && s.lastSlot < slot && s.behindSinceMs === undefined) s.behindSinceMs = nowMs;
    }
  }

  private async read(entry: Entry): Promise<void> {
    if (entry.reading || !this.running) return;
    entry.reading = true;
    try {
      const { watch } = entry;
      let ok: boolean;
      if (watch.spec.kind === 'logs') {
        const skippedBefore = entry.logs.skipped;
        ok = await backfillLogs(
          watch,
          this.reads,
          entry.logs,
          this.ctx.chain.settings.subscriptions.solanaLogsBackfill,
        );
        if (entry.logs.skipped > skippedBefore) this.skipped(entry.logs.skipped - skippedBefore);
      } else {
        ok = await reread(watch, this.reads, watch.startSlot);
      }
      if (watch.spec.kind === 'slot' && watch.lastSlot > this.mergedSlot) this.mergedSlot = watch.lastSlot;
      if (watch.done) this.finish(entry);
      else if (ok && watch.spec.kind !== 'signature') entry.rereadUntilMs = 0;
    } catch (err) {
      this.logger.error('solana subscription re-read failed', { chain: this.chainName, error: String(err) });
    } finally {
      entry.reading = false;
    }
  }

  private skipped(count: number): void {
    this.event('skipped_slot', count);
    this.logger.error(
      'solana logs backfill: gap longer than subscriptions.solanaLogsBackfill, slots skipped',
      {
        chain: this.chainName,
        count,
      },
    );
  }

  /** A signature delivered: its subscription ends for every client, as agave's does. */
  private finish(entry: Entry): void {
    const { watch } = entry;
    for (const client of watch.clients) this.ended(client.sink, client.id);
    watch.clients.clear();
    this.release(watch);
  }

  private event(event: FeedEvent, count = 1): void {
    this.observer.feedEvent?.(this.chainName, event, count);
  }
}
