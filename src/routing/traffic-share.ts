// Where recent traffic went: attempts per (chain, upstream) over a sliding window of one-second
// buckets. /status, the dashboard and the share gauges read it to show how concentrated traffic is on
// one cloud, region or provider (the risk Switchyard exists to reduce). O(1) per attempt.

import type { Observer } from './observer.js';

export const SHARE_WINDOW_SECONDS = 10;

class Ring {
  readonly counts = new Float64Array(SHARE_WINDOW_SECONDS);
  readonly seconds = new Float64Array(SHARE_WINDOW_SECONDS).fill(-1);

  add(second: number): void {
    const slot = second % SHARE_WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot]! += 1;
  }

  sum(second: number): number {
    let total = 0;
    const oldest = second - SHARE_WINDOW_SECONDS;
    for (let i = 0; i < SHARE_WINDOW_SECONDS; i++) {
      if (this.seconds[i]! > oldest && this.seconds[i]! <= second) total += this.counts[i]!;
    }
    return total;
  }
}

export class TrafficMeter {
  private readonly rings = new Map<string, Map<string, Ring>>();

  constructor(private readonly now: () => number = Date.now) {}

  record(chain: string, upstream: string): void {
    let byUpstream = this.rings.get(chain);
    if (!byUpstream) {
      byUpstream = new Map();
      this.rings.set(chain, byUpstream);
    }
    let ring = byUpstream.get(upstream);
    if (!ring) {
      ring = new Ring();
      byUpstream.set(upstream, ring);
    }
    ring.add(Math.floor(this.now() / 1000));
  }

  /** Attempts per upstream of `chain` inside the window (upstreams with none are absent). */
  recent(chain: string): Map<string, number> {
    const out = new Map<string, number>();
    const byUpstream = this.rings.get(chain);
    if (!byUpstream) return out;
    const second = Math.floor(this.now() / 1000);
    for (const [name, ring] of byUpstream) {
      const n = ring.sum(second);
      if (n > 0) out.set(name, n);
    }
    return out;
  }

  /** Forgets upstreams no longer configured (after a reload), so memory follows the config. */
  retain(chain: string, upstreams: ReadonlySet<string>): void {
    const byUpstream = this.rings.get(chain);
    if (!byUpstream) return;
    for (const name of byUpstream.keys()) if (!upstreams.has(name)) byUpstream.delete(name);
  }
}

export interface ShareGroups {
  /** Attempts in the window across the chain. */
  attempts: number;
  byUpstream: Record<string, number>;
  byCloud: Record<string, number>;
  byRegion: Record<string, number>;
  byProvider: Record<string, number>;
}

/** Fractions (0..1, rounded to 4 places) of `recent` attempts grouped by each upstream label. */
export function shareGroups(
  upstreams: readonly { name: string; cloud: string; region: string; provider: string }[],
  recent: ReadonlyMap<string, number>,
): ShareGroups {
  let attempts = 0;
  for (const u of upstreams) attempts += recent.get(u.name) ?? 0;
  const groups: ShareGroups = { attempts, byUpstream: {}, byCloud: {}, byRegion: {}, byProvider: {} };
  const add = (into: Record<string, number>, key: string, n: number) => {
    into[key] = (into[key] ?? 0) + n;
  };
  for (const u of upstreams) {
    const n = recent.get(u.name) ?? 0;
    add(groups.byUpstream, u.name, n);
    add(groups.byCloud, u.cloud, n);
    add(groups.byRegion, `${u.cloud}/${u.region}`, n);
    add(groups.byProvider, u.provider, n);
  }
  for (const into of [groups.byUpstream, groups.byCloud, groups.byRegion, groups.byProvider]) {
    for (const key of Object.keys(into)) into[key] = attempts === 0 ? 0 : round4(into[key]! / attempts);
  }
  return groups;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** `base` with every attempt also recorded in `meter` (optional methods of `base` stay reachable). */
export function observeTraffic(base: Observer, meter: TrafficMeter): Observer {
  const observer: Observer = Object.create(base);
  observer.attempt = (chain, upstream, method, outcome, latencyMs, kind) => {
    meter.record(chain, upstream);
    base.attempt(chain, upstream, method, outcome, latencyMs, kind);
  };
  return observer;
}
