// Events in the last second, from two fixed one-second windows (the older one weighted by how much of
// it still lies within the last second): two numbers per counter, no list of timestamps. Pure.

export class PerSecondCount {
  private windowStartMs = 0;
  private current = 0;
  private previous = 0;

  add(nowMs: number, n = 1): void {
    this.roll(nowMs);
    this.current += n;
  }

  /** Events in the second before `nowMs` (an estimate: the older window is assumed even). */
  rate(nowMs: number): number {
    this.roll(nowMs);
    const intoWindow = (nowMs - this.windowStartMs) / 1000;
    return this.current + this.previous * (1 - intoWindow);
  }

  private roll(nowMs: number): void {
    const start = nowMs - (nowMs % 1000);
    if (start === this.windowStartMs) return;
    this.previous = start - this.windowStartMs === 1000 ? this.current : 0;
    this.current = 0;
    this.windowStartMs = start;
  }
}
