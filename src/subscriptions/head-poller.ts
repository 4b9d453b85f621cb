// Heads of upstreams that have no WebSocket feed (no `ws` key, or theirs is down): their latest block,
// asked over HTTP every `subscriptions.pollInterval`. Each poll is an ordinary attempt through the
// dispatcher, restricted to that upstream: a hung or failing upstream is seen by its breaker and its
// failure domains as for any call. Upstreams that live traffic would not use are left to the health
// checker (their head is not one to follow, and a poll must not count as a panic).
import type { Upstream } from '../routing/upstream.js';
import type { BlockHeader } from './block-header.js';
import type { FeedContext } from './feed-fetcher.js';

const JITTER = 0.1;

/** `H`: what a poll reads (an EVM block header, a CometBFT height). */
export class HeadPoller<H = BlockHeader> {
  private readonly polling = new Set<Upstream>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly context: () => FeedContext,
    private readonly latestOf: (upstream: Upstream) => Promise<H | undefined>,
    /** Whether to poll this upstream now (false while its WebSocket feed is up). */
    private readonly wanted: (upstream: Upstream) => boolean,
    private readonly onHead: (upstream: Upstream, header: H) => void,
    /** Runs on every tick, polled or not (the feed's silence check rides on it). */
    private readonly onTick: () => void,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    if (this.stopped) return;
    const ctx = this.context();
    const nowMs = Date.now();
    for (const u of ctx.chain.upstreams) {
      if (this.polling.has(u) || !this.wanted(u) || !this.followable(ctx, u, nowMs)) continue;
      this.polling.add(u);
      void this.latestOf(u)
        .then((header) => {
          if (header !== undefined && !this.stopped) this.onHead(u, header);
        })
        .finally(() => this.polling.delete(u));
    }
    this.onTick();
    const interval = ctx.chain.settings.subscriptions.pollIntervalMs;
    this.timer = setTimeout(() => this.tick(), interval * (1 - JITTER + 2 * JITTER * this.random()));
    this.timer.unref();
  }

  /** Whether a poll of this upstream would be made now (its head is one to follow). */
  follows(u: Upstream): boolean {
    return !this.stopped && this.wanted(u) && this.followable(this.context(), u, Date.now());
  }

  private followable(ctx: FeedContext, u: Upstream, nowMs: number): boolean {
    const { chain } = ctx;
    if (u.wrongChain || u.reportedIdentity === undefined || u.isDown || !u.breakerAdmits) return false;
    if ((chain.lagOf(u) ?? 0) > chain.settings.health.maxBlockLag) return false;
    return chain.domainsAdmit(u, nowMs);
  }
}
