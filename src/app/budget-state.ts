// Budget spend kept across restarts: each provider's spend in its current period is written to a small
// JSON file (`stateFile`, beside the config by default) every few seconds and on shutdown, atomically
// (a temporary file renamed over it), and read back at start, with the period's start: periods run on
// from the start saved when the budget was first seen. Only when some provider has a budget.
// In fleet mode the fleet's spend lives in Redis (src/fleet/fleet-budgets.ts); the file then keeps the
// last fleet total this member knew, for a restart while Redis is away.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { ProviderAccount } from '../routing/provider-account.js';

const SAVE_INTERVAL_MS = 5000;

interface SavedSpend {
  periodStartMs: number;
  spent: number;
}

interface StateDocument {
  version: 1;
  budgets: Record<string, SavedSpend>;
}

export class BudgetStateFile {
  private timer: NodeJS.Timeout | undefined;
  private lastText = '';

  constructor(
    readonly file: string,
    /** The accounts of the runtime in use (a reload replaces them). */
    private readonly accounts: () => ReadonlyMap<string, ProviderAccount>,
    private readonly logger: Logger,
  ) {}

  /** Whether any provider has a budget (otherwise nothing is read or written). */
  get wanted(): boolean {
    for (const account of this.accounts().values()) if (account.pacer) return true;
    return false;
  }

  /** Reads the file (a missing one is a first start) and gives each budget its period and its spend. */
  load(nowMs = Date.now()): void {
    if (!this.wanted) return;
    let doc: StateDocument | undefined;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8')) as StateDocument;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        this.logger.warn('budget state file unreadable; budgets start from zero', { file: this.file });
      return;
    }
    const budgets = doc?.budgets && typeof doc.budgets === 'object' ? doc.budgets : {};
    for (const [name, account] of this.accounts()) {
      const saved = budgets[name];
      if (!account.pacer || !saved || !Number.isFinite(saved.spent) || !Number.isFinite(saved.periodStartMs))
        continue;
      // Periods run on from the saved start; its spend counts while that period is still current.
      account.pacer.anchor(saved.periodStartMs, nowMs);
      account.pacer.applyShared(saved.periodStartMs, saved.spent, nowMs);
    }
  }

  /** Saves every few seconds (a reload may add a budget: the timer runs anyway, idle without one). */
  start(): void {
    this.timer = setInterval(() => this.save(), SAVE_INTERVAL_MS);
    this.timer.unref();
  }

  save(): void {
    const budgets: Record<string, SavedSpend> = {};
    for (const [name, account] of this.accounts()) {
      const pacer = account.pacer;
      if (pacer) budgets[name] = { periodStartMs: pacer.periodStartMs, spent: pacer.spent };
    }
    if (Object.keys(budgets).length === 0) return;
    const text = `${JSON.stringify({ version: 1, budgets } satisfies StateDocument)}\n`;
    if (text === this.lastText) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, text);
      renameSync(temporary, this.file);
      this.lastText = text;
    } catch (err) {
      this.logger.warn('cannot write the budget state file', {
        file: this.file,
        error: (err as NodeJS.ErrnoException).code ?? 'error',
      });
    }
  }

  /** Stops the timer and writes once more (shutdown). */
  stop(): void {
    clearInterval(this.timer);
    if (this.wanted) this.save();
  }
}
