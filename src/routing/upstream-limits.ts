// What may be sent to one upstream now: its own `rateLimit` (requests), its auto-tuned rate
// (src/routing/rate-tuner.ts) and its provider's account (credits and budget, shared with the
// provider's other upstreams). Selection passes over an upstream at a limit like a full one; health
// probes spend the same tokens (providers bill them too). Absent (undefined on the upstream) when none
// of it is configured, so the hot path then pays one property read.
import type { RateLimitConfig } from '../config/providers-config.js';
import type { ProviderAccount } from './provider-account.js';
import type { RateTuner } from './rate-tuner.js';
import { TokenBucket } from './token-bucket.js';

export class UpstreamLimits {
  readonly own: TokenBucket | undefined;

  constructor(
    ownLimit: RateLimitConfig | undefined,
    readonly tuner: RateTuner | undefined,
    readonly account: ProviderAccount | undefined,
    nowMs: number,
  ) {
    this.own = ownLimit && new TokenBucket(ownLimit.perSecond, ownLimit.burst, nowMs);
  }

  /** A request for `method` may go now without crossing a limit. */
  allows(method: string, nowMs: number): boolean {
    if (this.own && !this.own.allows(1, nowMs)) return false;
    const bucket = this.account?.bucket;
    if (bucket && !bucket.allows(this.account!.creditsOf(method), nowMs)) return false;
    return this.tuner === undefined || this.tuner.allows(nowMs);
  }

  /** Milliseconds until every limit would let a request for `method` go. */
  waitMs(method: string, nowMs: number): number {
    let wait = this.own ? this.own.waitMs(1, nowMs) : 0;
    const account = this.account;
    if (account?.bucket) wait = Math.max(wait, account.bucket.waitMs(account.creditsOf(method), nowMs));
    if (this.tuner) wait = Math.max(wait, this.tuner.waitMs(nowMs));
    return wait;
  }

  /** Records a request sent: its tokens, its credits against the budget, a send for the tuner. */
  take(method: string, nowMs: number): void {
    this.own?.take(1, nowMs);
    const account = this.account;
    if (account) {
      const credits = account.creditsOf(method);
      account.bucket?.take(credits, nowMs);
      account.pacer?.spend(credits, nowMs);
    }
    this.tuner?.recordSend(nowMs);
  }

  /** A health probe: sent (and its tokens spent) only when every limit and the budget allow it now. */
  takeProbe(method: string, nowMs: number): boolean {
    if (!this.allows(method, nowMs) || this.overBudget(method, nowMs)) return false;
    this.take(method, nowMs);
    return true;
  }

  /** A call for `method` would cross its provider's budget for this period: it goes elsewhere. */
  overBudget(method: string, nowMs: number): boolean {
    const account = this.account;
    const pacer = account?.pacer;
    return pacer !== undefined && !pacer.affords(account!.creditsOf(method), nowMs);
  }

  /** Selection cost multiplier from budget pacing (1 without a budget or within it). */
  costFactor(nowMs: number): number {
    const pacer = this.account?.pacer;
    return pacer === undefined ? 1 : pacer.costFactor(nowMs);
  }
}
