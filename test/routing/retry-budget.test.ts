// RetryBudget on virtual time: retries may add `ratio` of the requests of the last 10 s plus a floor of
// minPerSecond × 10, counted in 1-s slots that expire as time moves on.
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/routing/retry-budget.js';

function requests(budget: RetryBudget, n: number, nowMs: number): void {
  for (let i = 0; i < n; i++) budget.recordRequest(nowMs);
}

/** Takes retries until refused (at most `limit`) and returns how many were granted. */
function drain(budget: RetryBudget, nowMs: number, limit = 10_000): number {
  let granted = 0;
  while (granted < limit && budget.tryRetry(nowMs)) granted++;
  return granted;
}

describe('RetryBudget', () => {
  it('refuses every retry with no requests and no floor', () => {
    const budget = new RetryBudget(0.2, 0, 0);
    expect(budget.tryRetry(0)).toBe(false);
    expect(budget.tryRetry(5000)).toBe(false);
  });

  it('allows ratio × recent requests', () => {
    const budget = new RetryBudget(0.2, 0, 0);
    requests(budget, 100, 0);
    expect(drain(budget, 0)).toBe(20);
    expect(budget.tryRetry(0)).toBe(false);
  });

  it('counts fractions of a token down, never up', () => {
    const budget = new RetryBudget(0.2, 0, 0);
    requests(budget, 9, 0); // 1.8 tokens
    expect(drain(budget, 0)).toBe(1);
    budget.recordRequest(0); // 2.0 tokens
    expect(drain(budget, 0)).toBe(1);
  });

  it('grants a floor of minPerSecond × 10 s without any requests', () => {
    const budget = new RetryBudget(0.2, 1, 0);
    expect(drain(budget, 0)).toBe(10);
    const bigger = new RetryBudget(0.2, 20, 0);
    expect(drain(bigger, 0)).toBe(200);
  });

  it('adds the floor to the ratio', () => {
    const budget = new RetryBudget(0.2, 1, 0);
    requests(budget, 50, 0);
    expect(drain(budget, 0)).toBe(20); // 10 + 10
  });

  it('does not spend a token on a refused retry', () => {
    const budget = new RetryBudget(0.5, 0, 0);
    requests(budget, 2, 0);
    expect(drain(budget, 0)).toBe(1);
    expect(budget.tryRetry(0)).toBe(false);
    expect(budget.tryRetry(0)).toBe(false);
    requests(budget, 2, 0);
    expect(drain(budget, 0)).toBe(1);
  });

  it('counts requests from every slot of the last 10 s', () => {
    const budget = new RetryBudget(0.1, 0, 0);
    for (let s = 0; s < 10; s++) requests(budget, 10, s * 1000 + 500);
    expect(drain(budget, 9999)).toBe(10);
  });

  it('forgets requests older than 10 s', () => {
    const budget = new RetryBudget(0.2, 0, 0);
    requests(budget, 100, 0);
    expect(budget.tryRetry(9999)).toBe(true);
    expect(budget.tryRetry(10_000)).toBe(false);
  });

  it('expires slot by slot as time rolls over', () => {
    const budget = new RetryBudget(1, 0, 0);
    requests(budget, 5, 0); // slot 0
    requests(budget, 7, 3500); // slot 3
    expect(drain(budget, 9999)).toBe(12);
    // at 10 s slot 0 is gone: its 5 requests and nothing else (all retries were taken in slot 9)
    const fresh = new RetryBudget(1, 0, 0);
    requests(fresh, 5, 0);
    requests(fresh, 7, 3500);
    expect(drain(fresh, 10_000)).toBe(7);
    expect(drain(fresh, 13_999)).toBe(0);
    expect(fresh.tryRetry(14_000)).toBe(false); // slot 3 gone too: nothing left
  });

  it('refills tokens as the slots holding the retries expire', () => {
    const budget = new RetryBudget(0, 1, 0); // 10 tokens per 10 s
    expect(drain(budget, 0, 5)).toBe(5);
    expect(drain(budget, 3000)).toBe(5);
    expect(budget.tryRetry(9999)).toBe(false);
    // the 5 taken at 0 s expire at 10 s, the 5 taken at 3 s at 13 s
    expect(drain(budget, 10_000)).toBe(5);
    expect(budget.tryRetry(12_999)).toBe(false);
    expect(drain(budget, 13_000)).toBe(5);
  });

  it('aligns slots to the time the budget was created', () => {
    const budget = new RetryBudget(1, 0, 500);
    requests(budget, 1, 1400); // still the first slot: [500, 1500)
    expect(budget.tryRetry(10_499)).toBe(true);
    const other = new RetryBudget(1, 0, 500);
    requests(other, 1, 1400);
    expect(other.tryRetry(10_500)).toBe(false);
  });

  it('clears everything after a long pause', () => {
    const budget = new RetryBudget(0.5, 0, 0);
    requests(budget, 100, 0);
    expect(budget.tryRetry(3_600_000)).toBe(false);
    requests(budget, 2, 3_600_000);
    expect(drain(budget, 3_600_000)).toBe(1);
  });

  it('tolerates time going backwards without losing counts', () => {
    const budget = new RetryBudget(0.5, 0, 10_000);
    requests(budget, 4, 10_000);
    expect(drain(budget, 9000)).toBe(2);
  });
});
