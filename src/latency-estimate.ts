// An upstream's latency estimate, the balancer's cost input: an EWMA with a fast attack and a slow
// release. A slower sample moves it half-way up at once (a provider getting slow is avoided after one
// or two answers); a faster one pulls it down by a fixed share per sample, or by the time-constant
// share when samples are far apart (an upstream that only health checks reach still recovers).
// Tower's peak EWMA jumps all the way to any slower sample, so one answer delayed by our own GC pause
// made a healthy upstream look like its slowest neighbour for seconds. Pure: the caller passes the time.

const ATTACK = 0.5;
const RELEASE_PER_SAMPLE = 0.05;

export class LatencyEstimate {
  private estimateMs: number;
  private stampMs: number;

  constructor(
    initialMs: number,
    nowMs: number,
    private readonly releaseTimeMs = 5000,
  ) {
    this.estimateMs = initialMs;
    this.stampMs = nowMs;
  }

  observe(sampleMs: number, nowMs: number): void {
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
  }
}
