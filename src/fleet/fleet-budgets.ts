// Budget spend shared by the fleet over Redis: every second each member adds what it spent since its
// last sync to the provider's counter for the period (INCRBYFLOAT on
// switchyard:<fleet>:budget:<provider>:<period start>, kept for two periods) and takes the fleet's
// total back, so every member paces against the fleet's spend. A failed sync keeps its credits for the
// next one; nothing of it is on a request's path.
import type { Logger } from '../log/logger.js';
import type { ProviderAccount } from '../routing/provider-account.js';

const SYNC_INTERVAL_MS = 1000;

/** What the budget sync needs of the store (RedisBackend implements it). */
export interface SpendStore {
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
        const pacer = account.pacer;
        if (!pacer) continue;
        const { periodStartMs, credits } = pacer.takeUnsynced();
        work.push(
          this.store.addSpend(name, periodStartMs, credits, pacer.periodMs * 2).then(
            (total) => {
              pacer.applyShared(periodStartMs, total, Date.now());
              this.report(false);
            },
            () => {
              pacer.returnUnsynced(periodStartMs, credits);
              this.report(true);
            },
          ),
        );
      }
      await Promise.all(work);
    } finally {
      this.syncing = false;
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
