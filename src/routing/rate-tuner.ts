// Auto-tune (`routing.autoTune`): an upstream's effective rate learnt from its throttling answers, AIMD
// as in TCP congestion control. The first throttling answer sets the rate just under what the upstream
// accepted in the last second; each later one (one per round of sends, at most one a second, so the
// answers of one burst count once) takes 5 % off; every quiet second in which the rate held traffic
// back adds 1 % (at least a twentieth of a request a second), or 5 % while it is still under 90 % of the
// rate it was last throttled at (back quickly to where the limit was, then probe above it slowly, as
// TCP CUBIC does). Against a provider that throttles above 50/s it settles in a saw-tooth between
// 47.5 and 50/s, with a throttling answer or two per climb. Pure: time is passed in, so its
// convergence is tested in virtual time.
import { PerSecondCount } from './per-second-count.js';
import { TokenBucket } from './token-bucket.js';

export const TUNING = {
  /** Multiplicative decrease on a throttling answer. */
  decrease: 0.95,
  /** Additive increase per quiet interval: this fraction of the rate, at least `minIncrease`. */
  increaseFraction: 0.01,
  minIncrease: 0.05,
  /** Below this share of the rate last throttled at, the increase is `recoveryIncrease` of the rate. */
  recoveryShare: 0.9,
  recoveryIncrease: 0.05,
  quietMs: 1000,
  /** Decreases at least this far apart: a provider's window still holds the sends before the last one. */
  decreaseGapMs: 1000,
  minRate: 1,
  /** The tuned bucket saves up a tenth of a second: a full second's burst would cross a provider's window. */
  burstSeconds: 0.1,
} as const;

export class RateTuner {
  /** The tuned rate (requests a second); undefined until the first throttling answer. */
  private tunedRate: number | undefined;
  private bucket: TokenBucket | undefined;
  private readonly sent = new PerSecondCount();
  private readonly accepted = new PerSecondCount();
  private lastDecreaseMs = Number.NEGATIVE_INFINITY;
  /** The rate in use when the last throttling answer came: where the limit was found. */
  private throttledAt = 0;
  private lastChangeMs = 0;
  /** The tuned rate held traffic back since the last change: only then is a higher rate worth trying. */
  private heldBack = false;
  /** Throttling answers and decreases so far (for /status and metrics). */
  throttles = 0;
  decreases = 0;

  get rate(): number | undefined {
    return this.tunedRate;
  }

  /** Whether the tuned rate lets one more request go now (always, until tuned). */
  allows(nowMs: number): boolean {
    const bucket = this.bucket;
    if (bucket === undefined) return true;
    this.maybeIncrease(nowMs);
    if (bucket.allows(1, nowMs)) return true;
    this.heldBack = true;
    return false;
  }

  waitMs(nowMs: number): number {
    return this.bucket === undefined ? 0 : this.bucket.waitMs(1, nowMs);
  }

  recordSend(nowMs: number): void {
    this.sent.add(nowMs);
    this.bucket?.take(1, nowMs);
  }

  recordAccepted(nowMs: number): void {
    this.accepted.add(nowMs);
  }

  /**
   * A throttling answer to a request sent at `sentAtMs`; true when it lowered the rate (answers to
   * requests sent before the last decrease, or within a second of it, are the same event).
   */
  onThrottled(sentAtMs: number, nowMs: number): boolean {
    this.throttles++;
    if (sentAtMs < this.lastDecreaseMs || nowMs - this.lastDecreaseMs < TUNING.decreaseGapMs) return false;
    const current = this.tunedRate;
    // First time: just under what it accepted lately (what it sent, when nothing was accepted yet).
    const base =
      current ??
      Math.min(this.sent.rate(nowMs), Math.max(this.accepted.rate(nowMs), TUNING.minRate / TUNING.decrease));
    this.throttledAt = base;
    this.setRate(Math.max(TUNING.minRate, base * TUNING.decrease), nowMs);
    this.lastDecreaseMs = nowMs;
    this.decreases++;
    return true;
  }

  private maybeIncrease(nowMs: number): void {
    const rate = this.tunedRate;
    if (rate === undefined || nowMs - this.lastChangeMs < TUNING.quietMs) return;
    if (!this.heldBack) {
      // Demand under the rate: nothing to learn; look again in a quiet interval.
      this.lastChangeMs = nowMs;
      return;
    }
    const recovering = rate < this.throttledAt * TUNING.recoveryShare;
    const step = recovering
      ? rate * TUNING.recoveryIncrease
      : Math.max(TUNING.minIncrease, rate * TUNING.increaseFraction);
    this.setRate(rate + step, nowMs);
  }

  private setRate(rate: number, nowMs: number): void {
    this.tunedRate = rate;
    this.lastChangeMs = nowMs;
    this.heldBack = false;
    const burst = Math.max(1, rate * TUNING.burstSeconds);
    if (this.bucket === undefined) this.bucket = new TokenBucket(rate, burst, nowMs);
    else this.bucket.setRate(rate, burst, nowMs);
  }
}
