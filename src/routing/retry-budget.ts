// Retry budget (Finagle-style): retries and hedges may add at most `ratio` of the recent request
// volume plus a small floor, so an outage cannot multiply load on the surviving upstreams.

const SLOTS = 10;
const SLOT_MS = 1000;

export class RetryBudget {
  private readonly requests = new Float64Array(SLOTS);
  private readonly retries = new Float64Array(SLOTS);
  private slotStartMs: number;
  private slot = 0;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
    nowMs: number,
  ) {
    this.slotStartMs = nowMs;
  }

  private advance(nowMs: number): void {
    let steps = Math.floor((nowMs - this.slotStartMs) / SLOT_MS);
    if (steps <= 0) return;
    this.slotStartMs += steps * SLOT_MS;
    steps = Math.min(steps, SLOTS);
    while (steps-- > 0) {
      this.slot = (this.slot + 1) % SLOTS;
      this.requests[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
  }

  recordRequest(nowMs: number): void {
    this.advance(nowMs);
    this.requests[this.slot]!++;
  }

  /** Takes one retry token when the budget allows it. */
  tryRetry(nowMs: number): boolean {
    this.advance(nowMs);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < SLOTS; i++) {
      requests += this.requests[i]!;
      retries += this.retries[i]!;
    }
    if (retries + 1 > requests * this.ratio + this.minPerSecond * SLOTS) return false;
    this.retries[this.slot]!++;
    return true;
  }
}
