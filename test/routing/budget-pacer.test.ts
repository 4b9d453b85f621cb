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

  it('starts its first period when first seen (not on an epoch boundary) and runs each period `per` from it', () => {
    const seen = Date.UTC(2026, 11, 7, 6, 30, 15); // 2026-12-07T06:30:15Z, no 30-day epoch boundary
    const p = new BudgetPacer(1000, 30 * DAY, seen);
    expect(p.periodStartMs).toBe(seen);
    expect(p.periodEndMs).toBe(seen + 30 * DAY);
    p.spend(400, seen + DAY);
    // The last instant of the period still counts in it; the next one starts afresh, `per` later.
    expect(p.exhausted(seen + 30 * DAY - 1)).toBe(false);
    expect(p.spent).toBe(400);
    p.spend(10, seen + 30 * DAY);
    expect(p.periodStartMs).toBe(seen + 30 * DAY);
    expect(p.spent).toBe(10);
    // Idle for two periods and a bit: the current period is still on the same grid.
    expect(p.exhausted(seen + 95 * DAY)).toBe(false);
    expect(p.periodStartMs).toBe(seen + 90 * DAY);
    expect(p.periodEndMs).toBe(seen + 120 * DAY);
    expect(p.spent).toBe(0);
  });

  it('a clock stepping back does not end the period (nor lose its spend)', () => {
    const p = new BudgetPacer(1000, DAY, 5 * DAY + 123);
    p.spend(50, 5 * DAY + 200);
    expect(p.exhausted(5 * DAY)).toBe(false);
    expect(p.periodStartMs).toBe(5 * DAY + 123);
    expect(p.spent).toBe(50);
  });

  it('runs on from a known start: a reload or the state file (anchor), keeping what was spent lately', () => {
    const first = 1_000_000;
    const p = new BudgetPacer(1000, 30 * DAY, first + 45 * DAY);
    p.spend(7, first + 45 * DAY);
    p.anchor(first, first + 45 * DAY);
    expect(p.periodStartMs).toBe(first + 30 * DAY);
    expect(p.spent).toBe(7);
    // A start in the future (another machine's clock) is not adopted.
    p.anchor(first + 50 * DAY, first + 45 * DAY);
    expect(p.periodStartMs).toBe(first + 30 * DAY);
    // Given at construction (a reload): the same series of periods.
    const reloaded = new BudgetPacer(2000, 30 * DAY, first + 61 * DAY, p.periodStartMs);
    expect(reloaded.periodStartMs).toBe(first + 60 * DAY);
  });
});
