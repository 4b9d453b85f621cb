// An upstream's latency estimate, the balancer's cost input: the median of the last three samples
// (one answer delayed by our own GC pause is dropped as a spike), fed into an EWMA with a fast attack
// and a slow release. A slower median moves it half-way up at once (a provider getting slow is
// avoided after two answers, and a hang shows sooner through the wait of its oldest attempt); a
// faster one pulls it down by a fixed share per sample, or by the time-constant share when samples
// are far apart (an upstream that only health checks reach still recovers). Tower's peak EWMA jumps
// all the way to any slower sample: with the cheapest upstream taking the traffic, one late answer
// would exile a healthy upstream until its health checks talked the estimate down. Pure: the caller
// passes the time.
//
// An estimate raised while traffic was flowing is only as good as the traffic that keeps testing it:
// once the cheapest-first pick stops sending any (the upstream looked slow during a pause of a few
// tens of milliseconds), health checks alone would take seconds to talk it down, and the traffic
// sits on a slower network meanwhile. So between samples the estimate decays toward the fastest
// recent answers (the floor), and the upstream gets real traffic again within about a second; if it
// is still slow, the first answers (or the wait of the first attempt) raise it again, and hedges
// cover those calls.

const ATTACK = 0.5;
const RELEASE_PER_SAMPLE = 0.05;
/** Time constant of the decay toward the floor while no samples come. */
const IDLE_DECAY_MS = 500;
/** The floor is the fastest median sample of the current and the previous window. */
const FLOOR_WINDOW_MS = 5000;

export class LatencyEstimate {
  private estimateMs: number;
  private stampMs: number;
  /** The two samples before the newest, for the median of three; NaN until there are any. */
  private older = Number.NaN;
  private previous = Number.NaN;
  private floorWindowStartMs: number;
  private floorCurrentMs = Number.POSITIVE_INFINITY;
  private floorPreviousMs = Number.POSITIVE_INFINITY;

  constructor(
    initialMs: number,
    nowMs: number,
    private readonly releaseTimeMs = 5000,
  ) {
    this.estimateMs = initialMs;
    this.stampMs = nowMs;
    this.floorWindowStartMs = nowMs;
  }

  observe(rawMs: number, nowMs: number): void {
    const sampleMs = medianOfThree(this.older, this.previous, rawMs);
    this.older = this.previous;
    this.previous = rawMs;
    this.estimateMs = this.valueAt(nowMs);
    this.noteFloor(sampleMs, nowMs);
    if (sampleMs > this.estimateMs) {
      this.estimateMs += (sampleMs - this.estimateMs) * ATTACK;
    } else {
      const elapsed = Math.max(0, nowMs - this.stampMs);
      const share = Math.max(RELEASE_PER_SAMPLE, 1 - Math.exp(-elapsed / this.releaseTimeMs));
      this.estimateMs += (sampleMs - this.estimateMs) * share;
    }
    this.stampMs = Math.max(this.stampMs, nowMs);
  }

  /** The estimate as of the last sample. */
  get valueMs(): number {
    return this.estimateMs;
  }

  /** The estimate now: decayed toward the floor for the time since the last sample. */
  valueAt(nowMs: number): number {
    const floorMs = Math.min(this.floorCurrentMs, this.floorPreviousMs);
    if (!(this.estimateMs > floorMs)) return this.estimateMs;
    const idleMs = Math.max(0, nowMs - this.stampMs);
    return floorMs + (this.estimateMs - floorMs) * Math.exp(-idleMs / IDLE_DECAY_MS);
  }

  reset(valueMs: number, nowMs: number): void {
    this.estimateMs = valueMs;
    this.stampMs = nowMs;
    this.older = Number.NaN;
    this.previous = Number.NaN;
    this.floorWindowStartMs = nowMs;
    this.floorCurrentMs = Number.POSITIVE_INFINITY;
    this.floorPreviousMs = Number.POSITIVE_INFINITY;
  }

  private noteFloor(sampleMs: number, nowMs: number): void {
    if (nowMs - this.floorWindowStartMs >= FLOOR_WINDOW_MS) {
      // A gap of two windows or more leaves nothing of the old ones.
      this.floorPreviousMs =
        nowMs - this.floorWindowStartMs >= 2 * FLOOR_WINDOW_MS
          ? Number.POSITIVE_INFINITY
          : this.floorCurrentMs;
      this.floorCurrentMs = sampleMs;
      this.floorWindowStartMs = nowMs;
    } else if (sampleMs < this.floorCurrentMs) this.floorCurrentMs = sampleMs;
  }
}

/** Median of three; with fewer samples so far (NaN), the newest one stands. */
function medianOfThree(a: number, b: number, c: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return c;
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
