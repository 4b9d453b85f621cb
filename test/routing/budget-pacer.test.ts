import { describe, expect, it } from 'vitest';
import { BudgetPacer } from '../../src/routing/budget-pacer.js';

const DAY = 86_400_000;

describe('BudgetPacer', () => {
  it('prefers the provider less once the recent rate would overspend the period, and stops at the budget', () => {
    const start = 30 * DAY * 1000; // a period boundary
    const p = new BudgetPacer(30_000, 30 * DAY, start);
    // 30 000 credits over 30 days is about 0.0116 a second: spending 1 a second projects far over.
    let t = start;
    for (let i = 0; i < 120; i++) {
      p.spend(1, t);
      t += 1000;
    }
    expect(p.costFactor(t)).toBeGreaterThan(10);
    expect(p.exhaustionAtMs(t)).toBeGreaterThan(t);
    expect(p.exhausted(t)).toBe(false);
    p.spend(30_000, t);
    expect(p.exhausted(t)).toBe(true);
    expect(p.remaining).toBe(0);
    // The next period starts afresh.
    expect(p.exhausted(start + 30 * DAY)).toBe(false);
    expect(p.spent).toBe(0);
  });

  it('within its pace costs nothing more, and has no exhaustion in the period', () => {
    const p = new BudgetPacer(1_000_000, DAY, 0);
    let t = 0;
    for (let i = 0; i < 600; i++) {
      p.spend(5, t);
      t += 1000;
    }
    expect(p.costFactor(t)).toBe(1);
    expect(p.exhaustionAtMs(t)).toBeUndefined();
  });

  it('syncs with a shared store: the total plus what was spent meanwhile', () => {
    const p = new BudgetPacer(1000, DAY, 0);
    p.spend(10, 1);
    const { periodStartMs, credits } = p.takeUnsynced();
    expect(credits).toBe(10);
    p.spend(5, 2);
    p.applyShared(periodStartMs, 110, 3); // another member spent 100
    expect(p.spent).toBe(115);
    p.returnUnsynced(periodStartMs, 7);
    expect(p.takeUnsynced().credits).toBe(12);
  });
});
