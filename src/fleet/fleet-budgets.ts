// Budget spend shared by the fleet over Redis: every second each member adds what it spent since its
// last sync to the provider's counter for the period (INCRBYFLOAT on
// switchyard:<fleet>:budget:<provider>:<period start>, kept for two periods) and takes the fleet's
// total back, so every member paces against the fleet's spend. The periods' start is the fleet's too:
// the first member to see a budget sets it (switchyard:<fleet>:budget:<provider>:start), every member
// runs its periods from it. A failed sync keeps its credits for the next one; nothing of it is on a
// request's path.
import type { Logger } from '../log/logger.js';
import type { BudgetPacer } from '../routing/budget-pacer.js';
import type { ProviderAccount } from '../routing/provider-account.js';

const SYNC_INTERVAL_MS = 1000;

/** What the budget sync needs of the store (RedisBackend implements it). */
export interface SpendStore {
  /** The fleet's start of a provider's periods: `startMs` unless a member set one before. */
  periodStart(provider: string, startMs: number): Promise<number>;
  /** Adds `credits` to a provider's period counter; resolves with the fleet's total for the period. */
  addSpend(provider: string, periodStartMs: number, credits: number, ttlMs: number): Promise<number>;
}

export class FleetBudgets {
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;
  private failing = false;

  constructor(
    private readonly store: SpendStore,
    private readonly accounts: () => ReadonlyMap<string, ProviderAccount>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sync(), SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const work: Promise<void>[] = [];
      for (const [name, account] of this.accounts()) {
        if (account.pacer) work.push(this.syncBudget(name, account.pacer));
      }
      await Promise.all(work);
    } finally {
      this.syncing = false;
    }
  }

  private async syncBudget(name: string, pacer: BudgetPacer): Promise<void> {
    let credits = 0;
    let periodStartMs = pacer.periodStartMs;
    try {
      pacer.anchor(await this.store.periodStart(name, pacer.periodStartMs), Date.now());
      ({ periodStartMs, credits } = pacer.takeUnsynced());
      const total = await this.store.addSpend(name, periodStartMs, credits, pacer.periodMs * 2);
      pacer.applyShared(periodStartMs, total, Date.now());
      this.report(false);
    } catch {
      pacer.returnUnsynced(periodStartMs, credits);
      this.report(true);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private report(failing: boolean): void {
    if (failing === this.failing) return;
    this.failing = failing;
    if (failing) this.logger.warn('fleet: budget spend not shared (store unreachable); kept for later');
    else this.logger.info('fleet: budget spend shared again');
  }
}
