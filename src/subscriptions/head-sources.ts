// Where one chain feed's heads come from: a WebSocket source per upstream with `ws`, and HTTP polling
// of every upstream whose socket is not up. Remembers when each height was first announced by anyone
// and each upstream's latest head, to find a WebSocket feed that stays silent while others announce.
import type { Upstream } from '../routing/upstream.js';
import type { BlockHeader } from './block-header.js';
import type { FeedContext } from './feed-fetcher.js';
import type { FeedSourceStatus } from './feed-status.js';
import { HeadPoller } from './head-poller.js';
import { type HeadSourceListener, WsHeadSource } from './ws-head-source.js';

export class HeadSources {
  private readonly wsSources = new Map<Upstream, WsHeadSource>();
  private readonly poller: HeadPoller;
  /** When each recent height was first announced by any source (silence detection). */
  private readonly firstAnnouncedAt = new Map<number, number>();
  private readonly lastHeadOf = new Map<Upstream, number>();

  constructor(
    private readonly context: () => FeedContext,
    latestOf: (upstream: Upstream) => Promise<BlockHeader | undefined>,
    private readonly listener: HeadSourceListener,
    /** Runs on every poll tick (the feed's silence check rides on it). */
    onTick: () => void,
    private readonly random: () => number,
  ) {
    this.poller = new HeadPoller(
      context,
      latestOf,
      (u) => !this.wsSources.get(u)?.connected,
      (u, header) => listener.head(u, header),
      onTick,
      random,
    );
  }

  start(wantPending: boolean): void {
    this.sync(wantPending);
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
    for (const s of this.wsSources.values()) s.stop();
    this.wsSources.clear();
    this.firstAnnouncedAt.clear();
    this.lastHeadOf.clear();
  }

  /** One WebSocket source per upstream with `ws`; an upstream a reload replaced gets a new one. */
  sync(wantPending: boolean): void {
    const current = new Set(this.context().chain.upstreams);
    for (const [u, source] of this.wsSources) {
      if (!current.has(u)) {
        source.stop();
        this.wsSources.delete(u);
      }
    }
    for (const u of current) {
      // A shadow upstream is on trial: its heads do not move the feed clients see.
      if (u.config.ws === undefined || u.config.shadow || this.wsSources.has(u)) continue;
      const source = new WsHeadSource(u, u.config.ws, this.listener, this.random);
      source.setWantPending(wantPending);
      this.wsSources.set(u, source);
      source.start();
    }
  }

  setWantPending(want: boolean): void {
    for (const s of this.wsSources.values()) s.setWantPending(want);
  }

  noteHead(upstream: Upstream, number: number, nowMs: number): void {
    if ((this.lastHeadOf.get(upstream) ?? -1) < number) this.lastHeadOf.set(upstream, number);
    if (!this.firstAnnouncedAt.has(number)) this.firstAnnouncedAt.set(number, nowMs);
  }

  /** Forgets first announcements below `floor` (below the reorg window). */
  forgetBelow(floor: number): void {
    for (const n of this.firstAnnouncedAt.keys()) if (n < floor) this.firstAnnouncedAt.delete(n);
  }

  /**
   * Each open WebSocket source that announced nothing for `silentAfterMs` since another source
   * announced the next block after its last; `since`: when its silence started to count.
   */
  forEachSilent(
    tipNumber: number,
    nowMs: number,
    silentAfterMs: number,
    onSilent: (source: WsHeadSource, since: number) => void,
  ): void {
    for (const source of this.wsSources.values()) {
      if (!source.connected || source.lastNumber >= tipNumber) continue;
      const missed = this.firstAnnouncedAt.get(source.lastNumber + 1) ?? this.firstAnnouncedAt.get(tipNumber);
      const since = Math.max(missed ?? nowMs, source.lastAnnouncedAtMs);
      if (nowMs - since < silentAfterMs) continue;
      onSilent(source, since);
    }
  }

  status(upstreams: readonly Upstream[]): FeedSourceStatus[] {
    return upstreams.map((u) => {
      const ws = this.wsSources.get(u);
      return {
        upstream: u.name,
        transport: ws?.connected ? 'ws' : 'poll',
        connected: ws?.connected === true || this.poller.follows(u),
        lastHead: this.lastHeadOf.get(u) ?? null,
      };
    });
  }
}
