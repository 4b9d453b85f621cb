// A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. What an upstream's or a
// provider's rate limit spends (requests, or credits with method weights). Pure: time is passed in.

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    public ratePerSecond: number,
    public burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs <= this.lastMs) return;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSecond) / 1000);
    this.lastMs = nowMs;
  }

  /** Whether `cost` tokens are there now. A cost above the burst passes on a full bucket (it could never otherwise). */
  allows(cost: number, nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= Math.min(cost, this.burst);
  }

  /** Spends `cost` tokens (the balance may go below zero: probes and weights above the burst). */
  take(cost: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= cost;
  }

  /** Milliseconds until `cost` tokens are there (0: now). */
  waitMs(cost: number, nowMs: number): number {
    this.refill(nowMs);
    const missing = Math.min(cost, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerSecond);
  }

  /** Tokens there now (for /status). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** A new rate (auto-tune): the tokens saved so far stay, capped at the new burst. */
  setRate(ratePerSecond: number, burst: number, nowMs: number): void {
    this.refill(nowMs);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }
}
