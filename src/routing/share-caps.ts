// Diversity caps (`routing.maxShare`): while a healthy alternative exists, no single cloud or provider
// takes more than its share of a chain's attempts over a sliding window, so one cloud's outage can
// only ever hit that share of traffic. A cap yields instead of failing a call: when every candidate
// is over it (an outage left only capped ones), the pick ignores it and the yield is counted.
// Pure: time is passed in. The hot path (record, keepUnderCap) allocates nothing.
import type { MaxShare } from '../config/max-share-config.js';
import { SHARE_WINDOW_SECONDS } from './traffic-share.js';
import type { Upstream } from './upstream.js';

export type CapDimension = 'cloud' | 'provider';

/** Window of the caps: the same 10 s as the traffic share shown by /status, in 1 s buckets. */
export const CAP_WINDOW_SECONDS = SHARE_WINDOW_SECONDS;

/** Bit of each dimension in keepUnderCap's result. */
export const CAP_YIELD_BIT: Record<CapDimension, number> = { cloud: 1, provider: 2 };

/** Attempts per group (one cloud, one provider) over the last CAP_WINDOW_SECONDS, with running totals. */
export class GroupWindow {
  /** counts[bucket * groups + group] */
  private readonly counts: Float64Array;
  /** Attempts per group inside the window. */
  readonly totals: Float64Array;
  total = 0;
  private headSecond = Number.NEGATIVE_INFINITY;

  constructor(readonly groups: number) {
    this.counts = new Float64Array(CAP_WINDOW_SECONDS * groups);
    this.totals = new Float64Array(groups);
  }

  /** Moves the window to `nowMs`: buckets older than the window leave the totals. */
  advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.headSecond) return;
    if (second - this.headSecond >= CAP_WINDOW_SECONDS) {
      this.counts.fill(0);
      this.totals.fill(0);
      this.total = 0;
    } else {
      for (let s = this.headSecond + 1; s <= second; s++) this.clearBucket(s % CAP_WINDOW_SECONDS);
    }
    this.headSecond = second;
  }

  add(group: number, nowMs: number): void {
    this.advance(nowMs);
    this.counts[(this.headSecond % CAP_WINDOW_SECONDS) * this.groups + group]! += 1;
    this.totals[group]! += 1;
    this.total += 1;
  }

  private clearBucket(bucket: number): void {
    const base = bucket * this.groups;
    for (let g = 0; g < this.groups; g++) {
      const n = this.counts[base + g]!;
      if (n === 0) continue;
      this.totals[g]! -= n;
      this.total -= n;
      this.counts[base + g] = 0;
    }
  }
}

/** One capped dimension: its groups (cloud or provider names), their window and the yields so far. */
class Cap {
  readonly names: string[] = [];
  readonly groupOf = new Map<Upstream, number>();
  readonly window: GroupWindow;
  yields = 0;

  constructor(
    readonly dimension: CapDimension,
    readonly limit: number,
    upstreams: readonly Upstream[],
  ) {
    for (const u of upstreams) {
      const name = dimension === 'cloud' ? u.config.cloud : u.config.provider;
      let group = this.names.indexOf(name);
      if (group < 0) group = this.names.push(name) - 1;
      this.groupOf.set(u, group);
    }
    this.window = new GroupWindow(this.names.length);
  }

  /** Another attempt to `u` would put its group above the cap (a share strictly above the limit). */
  over(u: Upstream): boolean {
    const w = this.window;
    return w.totals[this.groupOf.get(u)!]! > this.limit * w.total;
  }
}

export interface CapStatus {
  /** The configured cap (fraction of attempts). */
  cap: number;
  /** Times the cap yielded: every candidate was over it, so it was ignored for that pick. */
  yields: number;
  /** Each group's share of the attempts in the window (0..1, 4 places). */
  shares: Record<string, number>;
}

export class ShareCaps {
  private readonly caps: Cap[] = [];

  constructor(maxShare: MaxShare, upstreams: readonly Upstream[]) {
    if (maxShare.cloud !== undefined) this.caps.push(new Cap('cloud', maxShare.cloud, upstreams));
    if (maxShare.provider !== undefined) this.caps.push(new Cap('provider', maxShare.provider, upstreams));
  }

  get enabled(): boolean {
    return this.caps.length > 0;
  }

  /** An attempt was sent to `u`: counted against its cloud and provider. */
  record(u: Upstream, nowMs: number): void {
    for (const cap of this.caps) {
      const group = cap.groupOf.get(u);
      if (group !== undefined) cap.window.add(group, nowMs);
    }
  }

  /**
   * Removes from `pool` (in place) the candidates whose cloud or provider is over its cap, one
   * dimension after the other (clouds first). Only the preferred priority tier counts as an
   * alternative (a cap never sends traffic to a backup tier). When a dimension would leave that tier
   * empty, it yields: `pool` keeps its candidates, and the dimension's bit (CAP_YIELD_BIT) is set.
   */
  keepUnderCap(pool: Upstream[], nowMs: number): number {
    let yielded = 0;
    for (const cap of this.caps) {
      cap.window.advance(nowMs);
      let tier = Number.POSITIVE_INFINITY;
      for (const u of pool) tier = Math.min(tier, u.config.priority);
      let over = 0;
      let underInTier = 0;
      for (const u of pool) {
        if (cap.over(u)) over++;
        else if (u.config.priority === tier) underInTier++;
      }
      if (over === 0) continue;
      if (underInTier === 0) {
        cap.yields++;
        yielded |= CAP_YIELD_BIT[cap.dimension];
        continue;
      }
      let kept = 0;
      for (let i = 0; i < pool.length; i++) {
        const u = pool[i]!;
        if (!cap.over(u)) pool[kept++] = u;
      }
      pool.length = kept;
    }
    return yielded;
  }

  /** For /status, the dashboard and the metrics: each capped dimension's cap, yields and shares. */
  statusAt(nowMs: number): Partial<Record<CapDimension, CapStatus>> {
    const out: Partial<Record<CapDimension, CapStatus>> = {};
    for (const cap of this.caps) {
      cap.window.advance(nowMs);
      const { totals, total } = cap.window;
      const shares: Record<string, number> = {};
      cap.names.forEach((name, g) => {
        shares[name] = total === 0 ? 0 : Math.round((totals[g]! / total) * 10_000) / 10_000;
      });
      out[cap.dimension] = { cap: cap.limit, yields: cap.yields, shares };
    }
    return out;
  }
}
