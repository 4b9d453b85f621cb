// Peak-EWMA latency estimate (tower's `load::PeakEwma`): jumps up to a slow sample at once, decays
// towards faster ones with time constant `decayMs`. Pure: the caller passes the time.

export class PeakEwma {
  private costMs: number;
  private stampMs: number;

  constructor(
    initialMs: number,
    nowMs: number,
    private readonly decayMs = 5000,
  ) {
    this.costMs = initialMs;
    this.stampMs = nowMs;
  }

  observe(rttMs: number, nowMs: number): void {
    if (rttMs > this.costMs) {
      this.costMs = rttMs;
    } else {
      const elapsed = Math.max(0, nowMs - this.stampMs);
      const w = Math.exp(-elapsed / this.decayMs);
      this.costMs = this.costMs * w + rttMs * (1 - w);
    }
    this.stampMs = nowMs;
  }

  get valueMs(): number {
    return this.costMs;
  }

  reset(valueMs: number, nowMs: number): void {
    this.costMs = valueMs;
    this.stampMs = nowMs;
  }
}
