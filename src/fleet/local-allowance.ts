// One API key's budget on one fleet member: tokens leased from the fleet bucket (token-lease.ts), spent
// here without asking anyone, and a small allowance of requests admitted on credit while a lease is
// on its way (charged to the fleet bucket with the next lease). A request never waits for the store:
// the decision is made now, and the member asks for the next lease in the background. Pure.

/** A lease covers this much of the key's rate: big enough to spare the store, small enough to share. */
const LEASE_SECONDS = 0.1;
/** Requests admitted on credit, as a share of the rate: the most a member can overshoot the fleet limit. */
const CREDIT_SECONDS = 0.02;
/** Leased tokens not spent by then are dropped, so an idle member does not sit on the fleet's budget. */
export const LEASE_TTL_MS = 1000;

export type AllowanceDecision = { ok: true } | { ok: false; retryAfterMs: number };

export class LocalAllowance {
  private tokens = 0;
  private tokensExpireAtMs = 0;
  /** Admitted on credit, not yet charged to the fleet bucket. */
  private debt = 0;
  /** Charged with the lease request in flight. */
  private charging = 0;
  private deniedUntilMs = 0;
  /** A lease request is on its way. */
  refilling = false;
  readonly chunk: number;
  readonly credit: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    this.chunk = Math.max(1, Math.min(burst, Math.ceil(ratePerSecond * LEASE_SECONDS)));
    this.credit = Math.max(1, Math.min(burst, Math.ceil(ratePerSecond * CREDIT_SECONDS)));
  }

  take(nowMs: number): AllowanceDecision {
    if (nowMs >= this.tokensExpireAtMs) this.tokens = 0;
    if (this.tokens >= 1) {
      this.tokens--;
      return { ok: true };
    }
    if (nowMs < this.deniedUntilMs) return { ok: false, retryAfterMs: this.deniedUntilMs - nowMs };
    if (this.debt + this.charging < this.credit) {
      this.debt++;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(1000 / this.ratePerSecond) };
  }

  /** Whether to ask for the next lease now (none in flight, and the local tokens run low). */
  wantsLease(nowMs: number): boolean {
    if (this.refilling || nowMs < this.deniedUntilMs) return false;
    return this.debt > 0 || this.tokens < this.chunk / 2 || nowMs >= this.tokensExpireAtMs;
  }

  /** Starts a lease request: returns the debt it charges and how many tokens it asks for. */
  beginLease(): { debt: number; want: number } {
    this.refilling = true;
    this.charging = this.debt;
    this.debt = 0;
    return { debt: this.charging, want: this.chunk };
  }

  leaseGranted(granted: number, retryAfterMs: number, nowMs: number): void {
    this.refilling = false;
    this.charging = 0;
    this.tokens = (nowMs < this.tokensExpireAtMs ? this.tokens : 0) + granted;
    this.tokensExpireAtMs = nowMs + LEASE_TTL_MS;
    if (granted === 0) this.deniedUntilMs = nowMs + retryAfterMs;
  }

  /** The store did not answer: the debt stays to be charged next time. */
  leaseFailed(): void {
    this.refilling = false;
    this.debt += this.charging;
    this.charging = 0;
  }
}
