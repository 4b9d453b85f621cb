// Token buckets, one per API key name: `ratePerSecond` tokens refill continuously up to `burst`; a
// request takes one. Pure (time is passed in). Buckets survive a reload, so a key's budget is not
// reset by one; rate and burst are read from the config on every take.

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one token for `name`; `ratePerSecond` 0 means unlimited. */
  take(name: string, ratePerSecond: number, burst: number, nowMs: number): Take {
    if (ratePerSecond <= 0) return { ok: true };
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: nowMs };
      this.buckets.set(name, bucket);
    }
    const elapsed = Math.max(0, nowMs - bucket.updatedMs);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / ratePerSecond) };
  }

  /** Drops buckets of key names no longer configured. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.buckets.keys()) if (!names.has(name)) this.buckets.delete(name);
  }
}
