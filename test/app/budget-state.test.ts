// The budget state file keeps each budget's period start and spend: a restart within the period keeps
// both; a restart after it runs the periods on from the saved start (not from the restart, nor on the
// Unix epoch), with the spend back to zero. Time is passed in (virtual).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetStateFile } from '../../src/app/budget-state.js';
import { silentLogger } from '../../src/log/logger.js';
import { ProviderAccount } from '../../src/routing/provider-account.js';

const DAY = 86_400_000;
const PER = 30 * DAY;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-budget-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const budgeted = (nowMs: number) =>
  new Map([
    [
      'alchemy',
      new ProviderAccount(
        'alchemy',
        { rateLimit: undefined, budget: { credits: 1000, periodMs: PER }, weights: {} },
        nowMs,
      ),
    ],
  ]);

describe('BudgetStateFile', () => {
  it('saves the period start when the budget is first seen and runs the periods on from it after restarts', () => {
    const file = join(dir, 'state.json');
    const firstSeen = Date.UTC(2026, 11, 7, 6, 30, 15);
    const first = budgeted(firstSeen);
    first.get('alchemy')!.pacer!.spend(300, firstSeen + DAY);
    new BudgetStateFile(file, () => first, silentLogger).save();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.budgets.alchemy).toEqual({ periodStartMs: firstSeen, spent: 300 });

    // Restarted ten days in: same period, same spend.
    const tenDays = firstSeen + 10 * DAY;
    const second = budgeted(tenDays);
    new BudgetStateFile(file, () => second, silentLogger).load(tenDays);
    const kept = second.get('alchemy')!.pacer!;
    expect(kept.periodStartMs).toBe(firstSeen);
    expect(kept.periodEndMs).toBe(firstSeen + PER);
    expect(kept.spent).toBe(300);

    // Restarted 40 days in: the second period, from firstSeen + 30 days, starts from zero.
    const fortyDays = firstSeen + 40 * DAY;
    const third = budgeted(fortyDays);
    const state = new BudgetStateFile(file, () => third, silentLogger);
    state.load(fortyDays);
    const next = third.get('alchemy')!.pacer!;
    expect(next.periodStartMs).toBe(firstSeen + PER);
    expect(next.spent).toBe(0);
    next.spend(5, fortyDays);
    state.save();
    expect(JSON.parse(readFileSync(file, 'utf8')).budgets.alchemy).toEqual({
      periodStartMs: firstSeen + PER,
      spent: 5,
    });
  });

  it('without a state file the first period starts at start-up', () => {
    const startedAt = Date.UTC(2026, 0, 3, 12);
    const accounts = budgeted(startedAt);
    new BudgetStateFile(join(dir, 'missing.json'), () => accounts, silentLogger).load(startedAt);
    expect(accounts.get('alchemy')!.pacer!.periodStartMs).toBe(startedAt);
  });
});
