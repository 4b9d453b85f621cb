// API-key rate limits across the fleet: each key's bucket lives in the shared store and members spend
// leases of it locally (local-allowance.ts). While the store is unreachable the limits fail open to
// what one instance does alone (the key's own bucket here, as without fleet mode), so the fleet as a
// whole may then admit up to n× the rate; the member logs that once and counts the decisions.
import { RateLimiter, type Take } from '../../routes/rate-limiter.js';
import { LocalAllowance } from './local-allowance.js';
import type { Lease } from './token-lease.js';

export interface LeaseSource {
  readonly connected: boolean;
  lease(key: string, ratePerSecond: number, burst: number, want: number, debt: number): Promise<Lease>;
}

export class FleetRateLimiter extends RateLimiter {
  private readonly allowances = new Map<string, LocalAllowance>();
  /** Told once per spell of failing open (store unreachable or not answering), and when it ends. */
  onFailOpen: (failingOpen: boolean) => void = () => {};
  /** Decisions made on the local bucket alone, while failing open. */
  localDecisions = 0;
  private failingOpen = false;

  constructor(private readonly source: LeaseSource) {
    super();
  }

  override take(name: string, ratePerSecond: number, burst: number, nowMs: number): Take {
    if (ratePerSecond <= 0) return { ok: true };
    let allowance = this.allowances.get(name);
    if (!allowance || allowance.ratePerSecond !== ratePerSecond || allowance.burst !== burst) {
      allowance = new LocalAllowance(ratePerSecond, burst);
      this.allowances.set(name, allowance);
    }
    // The local bucket always counts, so failing open starts from what this instance admitted lately.
    const local = super.take(name, ratePerSecond, burst, nowMs);
    if (!this.source.connected) this.setFailingOpen(true);
    if (this.failingOpen) {
      this.localDecisions++;
      // A store that is connected but did not answer is asked again, one lease at a time: its answer
      // ends the spell.
      if (this.source.connected && !allowance.refilling) this.refill(name, allowance);
      return local;
    }
    const decision = allowance.take(nowMs);
    if (allowance.wantsLease(nowMs)) this.refill(name, allowance);
    return decision;
  }

  override retain(names: ReadonlySet<string>): void {
    super.retain(names);
    for (const name of this.allowances.keys()) if (!names.has(name)) this.allowances.delete(name);
  }

  private refill(name: string, allowance: LocalAllowance): void {
    const { debt, want } = allowance.beginLease();
    this.source.lease(name, allowance.ratePerSecond, allowance.burst, want, debt).then(
      (lease) => {
        allowance.leaseGranted(lease.granted, lease.retryAfterMs, Date.now());
        this.setFailingOpen(false);
      },
      () => {
        allowance.leaseFailed();
        this.setFailingOpen(true);
      },
    );
  }

  private setFailingOpen(failing: boolean): void {
    if (failing === this.failingOpen) return;
    this.failingOpen = failing;
    this.onFailOpen(failing);
  }
}
