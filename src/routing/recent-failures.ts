// How much an upstream failed lately: each failure adds 1 (up to 3), and the sum decays with a 1 s
// time constant. It multiplies the upstream's selection cost, because a failure says nothing about
// latency: a 5xx comes back as fast as a result and would leave a failing upstream the cheapest, tried
// first by every call, each of which then pays a second round trip. The dispatcher leaves refused
// connections out (src/routing/dispatcher.ts). Pure: time is passed in.

const DECAY_MS = 1000;
/** A burst of failures (every call of a hung second timing out) weighs no more than this. */
const MAX_SCORE = 3;

export class RecentFailures {
  private score = 0;
  private stampMs = 0;

  record(nowMs: number): void {
    this.score = Math.min(MAX_SCORE, this.valueAt(nowMs) + 1);
    this.stampMs = Math.max(this.stampMs, nowMs);
  }

  clear(): void {
    this.score = 0;
  }

  valueAt(nowMs: number): number {
    if (this.score === 0) return 0;
    return this.score * Math.exp(-Math.max(0, nowMs - this.stampMs) / DECAY_MS);
  }
}
