// PeakEwma: up at once to a slower sample, exponential decay towards faster ones.
import { describe, expect, it } from 'vitest';
import { PeakEwma } from '../../src/peak-ewma.js';

describe('PeakEwma', () => {
  it('starts at the initial value', () => {
    expect(new PeakEwma(42, 0).valueMs).toBe(42);
  });

  it('jumps to a higher sample at once, whatever the elapsed time', () => {
    const e = new PeakEwma(10, 0);
    e.observe(500, 0);
    expect(e.valueMs).toBe(500);
    e.observe(800, 100_000);
    expect(e.valueMs).toBe(800);
  });

  it('decays toward a lower sample with the time constant', () => {
    const e = new PeakEwma(100, 0, 5000);
    e.observe(10, 5000);
    // one time constant: 1/e of the gap is left
    expect(e.valueMs).toBeCloseTo(10 + 90 * Math.exp(-1), 9);
  });

  it('does not move on a lower sample at the same instant', () => {
    const e = new PeakEwma(100, 1000);
    e.observe(1, 1000);
    expect(e.valueMs).toBe(100);
  });

  it('measures the decay from the last observation', () => {
    const oneStep = new PeakEwma(100, 0, 5000);
    oneStep.observe(10, 5000);
    const twoSteps = new PeakEwma(100, 0, 5000);
    twoSteps.observe(10, 2500);
    expect(twoSteps.valueMs).toBeCloseTo(10 + 90 * Math.exp(-0.5), 9);
    twoSteps.observe(10, 5000);
    expect(twoSteps.valueMs).toBeCloseTo(oneStep.valueMs, 9);
  });

  it('decays faster with a shorter time constant', () => {
    const slow = new PeakEwma(100, 0, 5000);
    const fast = new PeakEwma(100, 0, 500);
    slow.observe(10, 500);
    fast.observe(10, 500);
    expect(fast.valueMs).toBeCloseTo(10 + 90 * Math.exp(-1), 9);
    expect(slow.valueMs).toBeCloseTo(10 + 90 * Math.exp(-0.1), 9);
    expect(fast.valueMs).toBeLessThan(slow.valueMs);
  });

  it('converges to a steady lower latency and never undershoots it', () => {
    const e = new PeakEwma(1000, 0, 1000);
    for (let t = 100; t <= 20_000; t += 100) {
      e.observe(20, t);
      expect(e.valueMs).toBeGreaterThanOrEqual(20);
    }
    expect(e.valueMs).toBeCloseTo(20, 3);
  });

  it('keeps a peak after a spike until time passes', () => {
    const e = new PeakEwma(20, 0, 5000);
    e.observe(2000, 1000);
    e.observe(20, 1010);
    expect(e.valueMs).toBeGreaterThan(1900);
  });

  it('ignores time going backwards', () => {
    const e = new PeakEwma(100, 5000);
    e.observe(10, 1000);
    expect(e.valueMs).toBe(100);
  });

  it('reset sets the value and the time stamp', () => {
    const e = new PeakEwma(100, 0, 5000);
    e.observe(900, 10);
    e.reset(50, 10_000);
    expect(e.valueMs).toBe(50);
    // no time has passed since the reset: a lower sample does not move it
    e.observe(5, 10_000);
    expect(e.valueMs).toBe(50);
    e.observe(5, 15_000);
    expect(e.valueMs).toBeCloseTo(5 + 45 * Math.exp(-1), 9);
  });
});
