// A provider's budget (`providers.<name>.budget`: credits per period), paced over its period: the spend
// projected to the period's end (spent so far plus the recent rate until the end) is compared with the
// budget; past it the provider costs more in selection (it is preferred less), and at the budget it
// gets no reads while another upstream can answer. The first period starts when the budget is first
// seen (its start is kept in the state file, and in Redis in fleet mode, where the first member to see
// it sets it for all: anchor()); each period runs `per` from the last, back to back. `spent` is the
// whole fleet's as far as known: what this instance spent since its last sync is added to the shared
// store by the keeper (src/app/budget-state.ts, or src/fleet/fleet-budgets.ts over Redis). Pure: time
// is passed in.

/** The recent rate is an exponential average over about a minute. */
const RATE_TAU_MS = 60_000;
const SAMPLE_MS = 1000;
/** Cost multiplier per unit of projected overspend: 10 % over the budget doubles the cost. */
const PACING_SLOPE = 10;
const MAX_COST_FACTOR = 1000;

export class BudgetPacer {
  periodStartMs: number;
  /** Credits spent this period (the fleet's, as far as known). */
  spent = 0;
  /** Spent here since the last sync with the store. */
  private unsynced = 0;
  /** Credits a second lately (exponential average). */
  private ratePerS = 0;
  private sampledAtMs: number;
  private sampledSpent = 0;

  constructor(
    readonly credits: number,
    readonly periodMs: number,
    nowMs: number,
    /** A period start known from before (a reload, the state file); by default the budget starts now. */
    startMs = nowMs,
  ) {
    this.periodStartMs = startMs;
    this.roll(nowMs);
    this.sampledAtMs = nowMs;
  }

  /** The start of the period `nowMs` is in: whole periods on from the current one (never back). */
  private periodOf(nowMs: number): number {
    if (nowMs < this.periodEndMs) return this.periodStartMs;
    return this.periodStartMs + Math.floor((nowMs - this.periodStartMs) / this.periodMs) * this.periodMs;
  }

  /**
   * Periods run from `startMs` (the state file's or the fleet's period start) instead: the current one
   * is the period of that series `nowMs` is in. What was spent so far stays (it was spent lately).
   */
  anchor(startMs: number, nowMs: number): void {
    if (startMs > nowMs) return;
    this.periodStartMs = startMs + Math.floor((nowMs - startMs) / this.periodMs) * this.periodMs;
  }

  get periodEndMs(): number {
    return this.periodStartMs + this.periodMs;
  }

  spend(credits: number, nowMs: number): void {
    this.roll(nowMs);
    this.spent += credits;
    this.unsynced += credits;
  }

  get remaining(): number {
    return Math.max(0, this.credits - this.spent);
  }

  /** Whether `credits` more stay within the budget (a call that would cross it is not sent). */
  affords(credits: number, nowMs: number): boolean {
    this.roll(nowMs);
    return this.spent + credits <= this.credits;
  }

  exhausted(nowMs: number): boolean {
    this.roll(nowMs);
    return this.spent >= this.credits;
  }

  /** Credits a second lately. */
  rate(nowMs: number): number {
    this.sample(nowMs);
    return this.ratePerS;
  }

  /** What the period will have cost at its end at the recent rate. */
  projectedSpend(nowMs: number): number {
    this.roll(nowMs);
    return this.spent + (this.rate(nowMs) * Math.max(0, this.periodEndMs - nowMs)) / 1000;
  }

  /** When the budget runs out at the recent rate; undefined when it lasts the period (or already did not). */
  exhaustionAtMs(nowMs: number): number | undefined {
    const rate = this.rate(nowMs);
    if (this.spent >= this.credits) return nowMs;
    if (rate <= 0) return undefined;
    const at = nowMs + ((this.credits - this.spent) / rate) * 1000;
    return at < this.periodEndMs ? Math.round(at) : undefined;
  }

  /** Selection cost multiplier: 1 while the projection stays within the budget, more past it. */
  costFactor(nowMs: number): number {
    const ratio = this.projectedSpend(nowMs) / this.credits;
    if (ratio <= 1) return 1;
    return Math.min(MAX_COST_FACTOR, 1 + PACING_SLOPE * (ratio - 1));
  }

  /** Hands over what was spent here since the last sync (the keeper adds it to the store). */
  takeUnsynced(): { periodStartMs: number; credits: number } {
    const credits = this.unsynced;
    this.unsynced = 0;
    return { periodStartMs: this.periodStartMs, credits };
  }

  /** A sync that failed: its credits are still to be added to the store. */
  returnUnsynced(periodStartMs: number, credits: number): void {
    if (periodStartMs === this.periodStartMs) this.unsynced += credits;
  }

  /** The store's total for a period after a sync: the fleet's spend, plus what was spent here meanwhile. */
  applyShared(periodStartMs: number, total: number, nowMs: number): void {
    this.roll(nowMs);
    if (periodStartMs !== this.periodStartMs) return;
    this.spent = Math.max(this.spent, total + this.unsynced);
  }

  /** A period ended: what was spent in it belongs to it (the next one starts from zero). */
  private roll(nowMs: number): void {
    const start = this.periodOf(nowMs);
    if (start === this.periodStartMs) return;
    this.periodStartMs = start;
    this.spent = 0;
    this.unsynced = 0;
    this.sampledSpent = 0;
  }

  private sample(nowMs: number): void {
    this.roll(nowMs);
    const dt = nowMs - this.sampledAtMs;
    if (dt < SAMPLE_MS) return;
    const observed = (Math.max(0, this.spent - this.sampledSpent) * 1000) / dt;
    const alpha = 1 - Math.exp(-dt / RATE_TAU_MS);
    this.ratePerS += alpha * (observed - this.ratePerS);
    this.sampledAtMs = nowMs;
    this.sampledSpent = this.spent;
  }
}
