// A provider's per-second limit as a fake provider shows it: at most `perSecond` requests admitted in
// any sliding second (a ring of the admitted requests' times); the others are throttled. What the
// auto-tune test and bench run against.

export class RateWindow {
  private readonly times: Float64Array;
  private next = 0;
  /** Requests admitted and throttled so far. */
  admitted = 0;
  throttled = 0;

  constructor(readonly perSecond: number) {
    this.times = new Float64Array(Math.max(1, Math.floor(perSecond))).fill(Number.NEGATIVE_INFINITY);
  }

  /** Admits a request at `nowMs` unless `perSecond` were admitted in the second before it. */
  admit(nowMs: number): boolean {
    // The slot to overwrite holds the oldest admitted time of the last `perSecond`.
    if (nowMs - this.times[this.next]! < 1000) {
      this.throttled++;
      return false;
    }
    this.times[this.next] = nowMs;
    this.next = (this.next + 1) % this.times.length;
    this.admitted++;
    return true;
  }
}
