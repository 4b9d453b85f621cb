// LatencyEstimate: half-way up on a slower sample, down by a share per sample or per elapsed time.
import { describe, expect, it } from 'vitest';
import { LatencyEstimate } from '../../src/routing/latency-estimate.js';

describe('LatencyEstimate', () => {
  it('starts at the initial value', () => {
    expect(new LatencyEstimate(42, 0).valueMs).toBe(42);
  });

  it('moves half-way up to the median of the last three samples, whatever the elapsed time', () => {
    const e = new LatencyEstimate(10, 0);
    e.observe(510, 0); // fewer than three samples yet: the sample itself
    expect(e.valueMs).toBe(260);
    e.observe(260, 100_000);
    expect(e.valueMs).toBe(260);
    e.observe(1260, 100_000); // median of 510, 260, 1260
    expect(e.valueMs).toBe(385);
  });

  it('drops a lone spike, and follows two slow answers in a row', () => {
    const e = new LatencyEstimate(6, 0);
    for (let i = 0; i < 3; i++) e.observe(6, i);
    e.observe(40, 3); // one answer delayed by a pause of our own
    expect(e.valueMs).toBe(6);
    e.observe(6, 4);
    e.observe(6, 5);
    expect(e.valueMs).toBe(6);
    e.observe(40, 6);
    expect(e.valueMs).toBe(6);
    e.observe(40, 7); // two of the last three: now it is the upstream
    expect(e.valueMs).toBe(23);
  });

  it('after one outlier stays below a neighbour twice as slow, and forgets it within ~100 samples', () => {
    // A 6 ms upstream, one answer 16 ms late (a pause of our own), next to a 12 ms one.
    const e = new LatencyEstimate(6, 0);
    e.observe(16, 1);
    expect(e.valueMs).toBeLessThan(12);
    for (let i = 0; i < 100; i++) e.observe(6, 2 + i);
    expect(e.valueMs).toBeLessThan(6.1);
  });

  it('a sustained slowdown is followed within a few answers', () => {
    const e = new LatencyEstimate(2, 0);
    for (let i = 0; i < 4; i++) e.observe(302, i);
    expect(e.valueMs).toBeGreaterThan(280);
  });

  it('pulls down by the per-sample share when samples come close together', () => {
    const e = new LatencyEstimate(100, 0, 5000);
    e.observe(0, 1);
    expect(e.valueMs).toBeCloseTo(95, 9);
  });

  it('pulls down by the time-constant share when samples are far apart', () => {
    const e = new LatencyEstimate(100, 0, 5000);
    e.observe(10, 5000);
    // one time constant: 1/e of the gap is left
    expect(e.valueMs).toBeCloseTo(10 + 90 * Math.exp(-1), 9);
  });

  it('recovers from a brownout through health checks alone (one sample every 2 s) within a few samples', () => {
    const e = new LatencyEstimate(302, 0, 5000);
    let t = 0;
    while (e.valueMs > 6 && t < 60_000) {
      t += 2000;
      e.observe(2, t);
    }
    // The first fast answers set the floor, and the idle estimate decays toward it between checks.
    expect(t).toBeLessThanOrEqual(6000);
  });

  it('between samples decays toward the fastest recent answers: a pause does not exile an upstream', () => {
    // A 6 ms upstream; a pause of ours or of the path makes ten answers in a row 60 ms late, and the
    // cheapest-first pick stops sending it traffic.
    const e = new LatencyEstimate(6, 0);
    let t = 0;
    for (; t < 20; t++) e.observe(6, t);
    for (; t < 30; t++) e.observe(60, t);
    expect(e.valueMs).toBeGreaterThan(40);
    expect(e.valueAt(t)).toBeCloseTo(e.valueMs, 0);
    // About a second later it is cheaper again than a 13 ms neighbour, and close to its floor soon after.
    expect(e.valueAt(t + 1200)).toBeLessThan(13);
    expect(e.valueAt(t + 3000)).toBeLessThan(6.2);
  });

  it('a long brownout known only from health checks becomes the floor: no more decay toward the old speed', () => {
    const e = new LatencyEstimate(2, 0);
    for (let t = 0; t < 10; t++) e.observe(2, t);
    let t = 1000;
    for (; t <= 12_000; t += 1000) e.observe(302, t);
    expect(e.valueAt(t + 1000)).toBeGreaterThan(250);
  });

  it('converges to a steady lower latency and never undershoots it', () => {
    const e = new LatencyEstimate(1000, 0, 1000);
    for (let t = 100; t <= 20_000; t += 100) {
      e.observe(20, t);
      expect(e.valueMs).toBeGreaterThanOrEqual(20);
    }
    expect(e.valueMs).toBeCloseTo(20, 3);
  });

  it('ignores time going backwards: the per-sample share applies', () => {
    const e = new LatencyEstimate(100, 5000);
    e.observe(0, 1000);
    expect(e.valueMs).toBeCloseTo(95, 9);
  });

  it('reset sets the value and the time stamp', () => {
    const e = new LatencyEstimate(100, 0, 5000);
    e.observe(900, 10);
    e.reset(50, 10_000);
    expect(e.valueMs).toBe(50);
    e.observe(0, 10_000);
    expect(e.valueMs).toBeCloseTo(47.5, 9);
  });
});
