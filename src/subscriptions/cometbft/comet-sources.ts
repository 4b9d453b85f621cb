// Where a CometBFT chain feed's heights come from: a WebSocket source per upstream with `ws`, and HTTP
// polling (`status`) of every upstream whose socket is down, or open but quiet for `silentAfter` (so
// that a feed whose every socket hangs silently still sees the chain move). Remembers when each height
// was first announced by anyone, to find a socket that stays silent while others announce.
import type { Upstream } from '../../routing/upstream.js';
import type { FeedContext } from '../feed-fetcher.js';
import type { FeedSourceStatus } from '../feed-status.js';
import { HeadPoller } from '../head-poller.js';
import { type CometSourceListener, CometWsSource } from './comet-ws-source.js';

export class CometSources {
  private readonly wsSources = new Map<Upstream, CometWsSource>();
  private readonly poller: HeadPoller<number>;
  private readonly firstAnnouncedAt = new Map<number, number>();
  private readonly lastHeightOf = new Map<Upstream, number>();
  /** When any source last announced a new height. */
  private lastAnnouncedAtMs = 0;
  private highest = -1;

  constructor(
    private readonly context: () => FeedContext,
    latestOf: (upstream: Upstream) => Promise<number | undefined>,
    private readonly listener: CometSourceListener,
    /** Runs on every poll tick (the feed's silence check rides on it). */
    onTick: () => void,
    private readonly random: () => number,
  ) {
    this.poller = new HeadPoller<number>(
      context,
      latestOf,
      (u) => this.wantsPoll(u),
      (u, height) => listener.height(u, height, undefined),
      onTick,
      random,
    );
  }

  start(): void {
    this.lastAnnouncedAtMs = Date.now();
    this.sync();
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
    for (const s of this.wsSources.values()) s.stop();
    this.wsSources.clear();
    this.firstAnnouncedAt.clear();
    this.lastHeightOf.clear();
    this.highest = -1;
  }

  /** One WebSocket source per upstream with `ws`; an upstream a reload replaced gets a new one. */
  sync(): void {
    const current = new Set(this.context().chain.upstreams);
    for (const [u, source] of this.wsSources) {
      if (current.has(u)) continue;
      source.stop();
      this.wsSources.delete(u);
    }
    for (const u of current) {
      if (u.config.ws === undefined || this.wsSources.has(u)) continue;
      const answerTimeoutMs = () => this.context().chain.settings.subscriptions.silentAfterMs;
      const source = new CometWsSource(u, u.config.ws, this.listener, answerTimeoutMs, this.random);
      this.wsSources.set(u, source);
      source.start();
    }
  }

  noteHeight(upstream: Upstream, height: number, nowMs: number): void {
    if ((this.lastHeightOf.get(upstream) ?? -1) < height) this.lastHeightOf.set(upstream, height);
    if (height <= this.highest) return;
    this.highest = height;
    this.firstAnnouncedAt.set(height, nowMs);
    this.lastAnnouncedAtMs = nowMs;
  }

  forgetBelow(floor: number): void {
    for (const n of this.firstAnnouncedAt.keys()) if (n < floor) this.firstAnnouncedAt.delete(n);
  }

  /** Each open socket that announced nothing for `silentAfterMs` since another source announced past it. */
  forEachSilent(
    tip: number,
    nowMs: number,
    silentAfterMs: number,
    onSilent: (source: CometWsSource, since: number) => void,
  ): void {
    for (const source of this.wsSources.values()) {
      if (!source.connected || source.lastHeight >= tip) continue;
      const since = Math.max(this.firstAnnouncedAbove(source.lastHeight) ?? nowMs, source.lastAnnouncedAtMs);
      if (nowMs - since >= silentAfterMs) onSilent(source, since);
    }
  }

  /** When the first height above `height` was announced (heights a poll jumped over have no entry). */
  private firstAnnouncedAbove(height: number): number | undefined {
    let first: number | undefined;
    for (const [n, at] of this.firstAnnouncedAt)
      if (n > height && (first === undefined || at < first)) first = at;
    return first;
  }

  status(upstreams: readonly Upstream[]): FeedSourceStatus[] {
    return upstreams.map((u) => {
      const ws = this.wsSources.get(u);
      return {
        upstream: u.name,
        transport: ws?.connected ? 'ws' : 'poll',
        connected: ws?.connected === true || this.poller.follows(u),
        lastHead: this.lastHeightOf.get(u) ?? null,
      };
    });
  }

  /** Sockets quiet all at once may all hang: then the upstreams are polled too, to see the chain move. */
  private wantsPoll(u: Upstream): boolean {
    if (!this.wsSources.get(u)?.connected) return true;
    const silentAfterMs = this.context().chain.settings.subscriptions.silentAfterMs;
    return Date.now() - this.lastAnnouncedAtMs >= silentAfterMs;
  }
}
