// One provider's account (`providers.<name>`): its rate limit in credits (or requests, without
// weights), its budget and the credits each method costs. Shared by all of that provider's upstreams on
// every chain, and kept across reloads while its limits are unchanged (the spend always is).
import type { ProviderConfig } from '../config/providers-config.js';
import { BudgetPacer } from './budget-pacer.js';
import { TokenBucket } from './token-bucket.js';

export class ProviderAccount {
  readonly bucket: TokenBucket | undefined;
  readonly pacer: BudgetPacer | undefined;
  private readonly weights: Readonly<Record<string, number>>;
  private readonly defaultWeight: number;

  constructor(
    readonly name: string,
    readonly config: ProviderConfig,
    nowMs: number,
    previous?: ProviderAccount,
  ) {
    this.weights = config.weights;
    this.defaultWeight = config.weights.default ?? 1;
    const limit = config.rateLimit;
    const sameLimit = JSON.stringify(previous?.config.rateLimit) === JSON.stringify(limit);
    this.bucket =
      limit === undefined
        ? undefined
        : sameLimit && previous?.bucket
          ? previous.bucket
          : new TokenBucket(limit.perSecond, limit.burst, nowMs);
    const budget = config.budget;
    if (budget === undefined) this.pacer = undefined;
    else {
      const old = previous?.pacer;
      // A reload keeps the period's start and, when it is still current, what it has cost so far
      // (with a changed budget or period too).
      this.pacer = new BudgetPacer(budget.credits, budget.periodMs, nowMs, old?.periodStartMs);
      if (old) this.pacer.applyShared(old.periodStartMs, old.spent, nowMs);
    }
  }

  creditsOf(method: string): number {
    return this.weights[method] ?? this.defaultWeight;
  }
}

/** The accounts of a config's providers; those of `previous` (the runtime before a reload) carry over. */
export function providerAccounts(
  providers: Readonly<Record<string, ProviderConfig>>,
  nowMs: number,
  previous?: ReadonlyMap<string, ProviderAccount>,
): Map<string, ProviderAccount> {
  const accounts = new Map<string, ProviderAccount>();
  for (const [name, config] of Object.entries(providers)) {
    accounts.set(name, new ProviderAccount(name, config, nowMs, previous?.get(name)));
  }
  return accounts;
}
