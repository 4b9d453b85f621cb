// An upstream's latency estimate, the balancer's cost input: the median of the last three samples
// (one answer delayed by our own GC pause is dropped as a spike), fed into an EWMA with a fast attack
// and a slow release. A slower median moves it half-way up at once (a provider getting slow is
// avoided after two answers, and a hang shows sooner through the wait of its oldest attempt); a
// faster one pulls it down by a fixed share per sample, or by the time-constant share when samples
// are far apart (an upstream that only health checks reach still recovers). Tower's peak EWMA jumps
// all the way to any slower sample: with the cheapest upstream taking the traffic, one late answer
// would exile a healthy upstream until its health checks talked the estimate down. Pure: the caller
// passes the time.

const ATTACK = 0.5;
const RELEASE_PER_SAMPLE = 0.05;

export class LatencyEstimate {
  private estimateMs: number;
  private stampMs: number;
  /** The two samples before the newest, for the median of three; NaN until there are any. */
  private older = Number.NaN;
  private previous = Number.NaN;

  constructor(
    initialMs: number,
    nowMs: number,
    private readonly releaseTimeMs = 5000,
  ) {
    this.estimateMs = initialMs;
    this.stampMs = nowMs;
  }

  observe(rawMs: number, nowMs: number): void {
    const sampleMs = medianOfThree(this.older, this.previous, rawMs);
    this.older = this.previous;
    this.previous = rawMs;
    if (sampleMs > this.estimateMs) {
      this.estimateMs += (sampleMs - this.estimateMs) * ATTACK;
    } else {
      const elapsed = Math.max(0, nowMs - this.stampMs);
      const share = Math.max(RELEASE_PER_SAMPLE, 1 - Math.exp(-elapsed / this.releaseTimeMs));
      this.estimateMs += (sampleMs - this.estimateMs) * share;
    }
    this.stampMs = Math.max(this.stampMs, nowMs);
  }

  get valueMs(): number {
    return this.estimateMs;
  }

  reset(valueMs: number, nowMs: number): void {
    this.estimateMs = valueMs;
    this.stampMs = nowMs;
    this.older = Number.NaN;
    this.previous = Number.NaN;
  }
}

/** Median of three; with fewer samples so far (NaN), the newest one stands. */
function medianOfThree(a: number, b: number, c: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return c;
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
