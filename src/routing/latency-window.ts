// Recent latency quantiles with bounded memory: log-spaced buckets in two rotating windows, so the
// hedge delay follows what the chain's upstreams do now, not an hour ago. Pure: time is passed in.

const BUCKETS = 64;
const GROWTH = 1.2; // bucket i covers up to 0.1ms * 1.2^i: 0.1 ms .. ~9.7 s (slower lands in the top one)

function bucketOf(ms: number): number {
  if (ms <= 0.1) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / 0.1) / Math.log(GROWTH)));
}

function upperBoundMs(bucket: number): number {
  return 0.1 * GROWTH ** bucket;
}

/** A computed quantile is reused for this long while the sample count moves by less than 1/16. */
const QUANTILE_REUSE_MS = 50;

interface CachedQuantile {
  value: number;
  atMs: number;
  total: number;
}

export class LatencyWindow {
  private current = new Uint32Array(BUCKETS);
  private previous = new Uint32Array(BUCKETS);
  private rotatedAtMs: number;
  /** Samples in each window, kept up to date so count() needs no scan. */
  private currentTotal = 0;
  private previousTotal = 0;
  /** Every attempt asks for the hedge and stall quantiles; the answer changes slowly. */
  private readonly cached = new Map<number, CachedQuantile>();

  constructor(
    nowMs: number,
    private readonly windowMs = 10_000,
  ) {
    this.rotatedAtMs = nowMs;
  }

  private rotate(nowMs: number): void {
    const elapsed = nowMs - this.rotatedAtMs;
    if (elapsed < this.windowMs) return;
    const stale = elapsed >= 2 * this.windowMs;
    this.previous = stale ? new Uint32Array(BUCKETS) : this.current;
    this.current = new Uint32Array(BUCKETS);
    this.previousTotal = stale ? 0 : this.currentTotal;
    this.currentTotal = 0;
    this.cached.clear();
    // Advance in whole windows so a sample never outlives two of them.
    this.rotatedAtMs += Math.floor(elapsed / this.windowMs) * this.windowMs;
  }

  record(ms: number, nowMs: number): void {
    this.rotate(nowMs);
    this.current[bucketOf(ms)]!++;
    this.currentTotal++;
  }

  count(nowMs: number): number {
    this.rotate(nowMs);
    return this.currentTotal + this.previousTotal;
  }

  /** Upper bound of the bucket holding quantile q, or undefined with fewer than `minSamples`. */
  quantile(q: number, nowMs: number, minSamples = 20): number | undefined {
    const total = this.count(nowMs);
    if (total < minSamples) return undefined;
    const hit = this.cached.get(q);
    if (hit && nowMs - hit.atMs < QUANTILE_REUSE_MS && Math.abs(total - hit.total) * 16 < total) {
      return hit.value;
    }
    const value = this.scan(q, total);
    this.cached.set(q, { value, atMs: nowMs, total });
    return value;
  }

  private scan(q: number, total: number): number {
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.current[i]! + this.previous[i]!;
      if (seen >= rank) return upperBoundMs(i);
    }
    return upperBoundMs(BUCKETS - 1);
  }
}
