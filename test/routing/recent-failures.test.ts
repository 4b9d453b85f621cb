// RecentFailures: +1 per failure (at most 3), decaying with a 1 s time constant.
import { describe, expect, it } from 'vitest';
import { RecentFailures } from '../../src/routing/recent-failures.js';

describe('RecentFailures', () => {
  it('is zero until something fails', () => {
    expect(new RecentFailures().valueAt(123)).toBe(0);
  });

  it('adds one per failure and decays with a 1 s time constant', () => {
    const f = new RecentFailures();
    f.record(1000);
    f.record(1000);
    expect(f.valueAt(1000)).toBe(2);
    expect(f.valueAt(2000)).toBeCloseTo(2 * Math.exp(-1), 9);
    f.record(2000);
    expect(f.valueAt(2000)).toBeCloseTo(2 * Math.exp(-1) + 1, 9);
    expect(f.valueAt(10_000)).toBeLessThan(0.001);
  });

  it('ignores time going backwards', () => {
    const f = new RecentFailures();
    f.record(5000);
    f.record(4000);
    expect(f.valueAt(5000)).toBe(2);
  });

  it('caps a burst at 3, so it is forgotten as fast as a few failures', () => {
    const f = new RecentFailures();
    for (let i = 0; i < 50; i++) f.record(0);
    expect(f.valueAt(0)).toBe(3);
    expect(f.valueAt(2000)).toBeCloseTo(3 * Math.exp(-2), 9);
  });

  it('clear forgets everything', () => {
    const f = new RecentFailures();
    f.record(0);
    f.clear();
    expect(f.valueAt(0)).toBe(0);
  });
});
