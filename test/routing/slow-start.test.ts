// The slow-start ramp as a share of the chain's picks (src/routing/slow-start.ts), in virtual time.
import { describe, expect, it } from 'vitest';
import { SlowStartRamp } from '../../src/routing/slow-start.js';

const RAMP_MS = 1000;

/** Offer the ramping upstream each of `n` chain picks at `nowMs`; it takes every one it is admitted to. */
function offer(ramp: SlowStartRamp, nowMs: number, n: number, chain: { picks: number }): number {
  let taken = 0;
  for (let i = 0; i < n; i++) {
    if (ramp.admits(nowMs, RAMP_MS, chain.picks)) {
      ramp.recordPick();
      taken++;
    }
    chain.picks++;
  }
  return taken;
}

describe('SlowStartRamp', () => {
  it('admits everything when no ramp runs', () => {
    const ramp = new SlowStartRamp();
    expect(offer(ramp, 0, 10, { picks: 0 })).toBe(10);
  });

  it('takes the first pick at once, then 10 % of the chain picks at the start of the ramp', () => {
    const ramp = new SlowStartRamp();
    ramp.start(0);
    const chain = { picks: 500 };
    expect(ramp.admits(0, RAMP_MS, chain.picks)).toBe(true);
    expect(offer(ramp, 10, 100, chain)).toBe(10);
  });

  it('grows its share with time and ends the ramp after the slow start', () => {
    const ramp = new SlowStartRamp();
    ramp.start(0);
    const chain = { picks: 0 };
    offer(ramp, 10, 100, chain); // 10 of 100
    // Half-way: half of the 200 picks since the start, so 90 more of the next 100.
    expect(offer(ramp, 500, 100, chain)).toBe(90);
    expect(ramp.factor(1000, RAMP_MS)).toBe(1);
    expect(ramp.startMs).toBeUndefined();
    expect(offer(ramp, 1000, 10, chain)).toBe(10);
  });

  it('restarts the count when it comes back again', () => {
    const ramp = new SlowStartRamp();
    ramp.start(0);
    const chain = { picks: 0 };
    offer(ramp, 10, 50, chain);
    ramp.start(100);
    expect(offer(ramp, 110, 10, chain)).toBe(1);
  });
});
