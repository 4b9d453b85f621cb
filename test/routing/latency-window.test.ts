// LatencyWindow on virtual time: log-bucket quantiles (upper bound of a 1.2× bucket), a minimum sample
// count, and two rotating windows.
import { describe, expect, it } from 'vitest';
import { LatencyWindow } from '../../src/routing/latency-window.js';

const RESOLUTION = 1.2;

function fill(window: LatencyWindow, values: number[], nowMs: number): void {
  for (const v of values) window.record(v, nowMs);
}

function repeat(value: number, n: number): number[] {
  return Array.from({ length: n }, () => value);
}

/** The quantile is an upper bound within one bucket (×1.2) of the true value. */
function expectNear(actual: number | undefined, trueValue: number): void {
  expect(actual).toBeDefined();
  expect(actual!).toBeGreaterThanOrEqual(trueValue * (1 - 1e-9));
  expect(actual!).toBeLessThanOrEqual(trueValue * RESOLUTION * (1 + 1e-9));
}

describe('LatencyWindow', () => {
  it('answers undefined below the minimum sample count', () => {
    const w = new LatencyWindow(0);
    expect(w.quantile(0.5, 0)).toBeUndefined();
    fill(w, repeat(10, 19), 0);
    expect(w.quantile(0.5, 0)).toBeUndefined();
    w.record(10, 0);
    expectNear(w.quantile(0.5, 0), 10);
  });

  it('honours a custom minimum', () => {
    const w = new LatencyWindow(0);
    fill(w, [5, 6, 7], 0);
    expect(w.quantile(0.5, 0, 4)).toBeUndefined();
    expectNear(w.quantile(0.5, 0, 3), 6);
    expectNear(w.quantile(0.5, 0, 0), 6);
  });

  it('estimates quantiles of a spread within bucket resolution', () => {
    const w = new LatencyWindow(0);
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) / 10); // 0.1 .. 100 ms
    // shuffled order must not matter
    const shuffled = values.map((_, i) => values[(i * 7919) % values.length]!);
    fill(w, shuffled, 0);
    expect(w.count(0)).toBe(1000);
    expectNear(w.quantile(0.5, 0), 50);
    expectNear(w.quantile(0.9, 0), 90);
    expectNear(w.quantile(0.95, 0), 95);
    expectNear(w.quantile(0.99, 0), 99);
    expectNear(w.quantile(1, 0), 100);
  });

  it('separates a fast majority from a slow tail', () => {
    const w = new LatencyWindow(0);
    fill(w, [...repeat(2, 90), ...repeat(400, 10)], 0);
    expectNear(w.quantile(0.5, 0), 2);
    expectNear(w.quantile(0.9, 0), 2);
    expectNear(w.quantile(0.91, 0), 400);
    expectNear(w.quantile(0.99, 0), 400);
  });

  it('puts tiny and zero latencies in the first bucket', () => {
    const w = new LatencyWindow(0);
    fill(w, [...repeat(0, 10), ...repeat(0.05, 10)], 0);
    expect(w.quantile(1, 0)).toBeCloseTo(0.1, 10);
  });

  it('keeps the previous window after a rotation', () => {
    const w = new LatencyWindow(0, 1000);
    fill(w, repeat(10, 20), 0);
    fill(w, repeat(100, 20), 1000); // rotation: the 10 ms samples move to the previous window
    expect(w.count(1000)).toBe(40);
    expectNear(w.quantile(0.25, 1000), 10);
    expectNear(w.quantile(0.75, 1000), 100);
  });

  it('drops a window once two rotations have passed', () => {
    const w = new LatencyWindow(0, 1000);
    fill(w, repeat(10, 20), 0);
    fill(w, repeat(100, 20), 1000);
    expect(w.count(1999)).toBe(40);
    expect(w.count(2000)).toBe(20); // second rotation: the 10 ms window is gone
    expectNear(w.quantile(0.1, 2000), 100);
  });

  it('does not rotate before a full window has passed', () => {
    const w = new LatencyWindow(0, 1000);
    fill(w, repeat(10, 20), 0);
    expect(w.count(999)).toBe(20);
    fill(w, repeat(10, 5), 999);
    expect(w.count(999)).toBe(25);
  });

  it('clears everything when idle for two windows or more', () => {
    const w = new LatencyWindow(0, 1000);
    fill(w, repeat(10, 20), 0);
    expect(w.count(1999)).toBe(20); // one rotation: kept as the previous window
    const stale = new LatencyWindow(0, 1000);
    fill(stale, repeat(10, 20), 0);
    expect(stale.count(2000)).toBe(0);
    expect(stale.quantile(0.5, 2000, 1)).toBeUndefined();
  });

  it('uses a 10 s window by default', () => {
    const w = new LatencyWindow(0);
    fill(w, repeat(10, 20), 0);
    fill(w, repeat(10, 1), 9_999);
    expect(w.count(9_999)).toBe(21); // one window: no rotation yet
    fill(w, repeat(10, 1), 10_000); // rotation: the 21 samples become the previous window
    expect(w.count(10_000)).toBe(22);
    expect(w.count(20_000)).toBe(1); // second rotation: only the sample taken at 10 s is left
    const idle = new LatencyWindow(0);
    fill(idle, repeat(10, 20), 0);
    expect(idle.count(20_000)).toBe(0);
  });

  it('follows a latency shift within two windows', () => {
    const w = new LatencyWindow(0, 1000);
    fill(w, repeat(5, 100), 0);
    for (let t = 1000; t <= 3000; t += 1000) fill(w, repeat(80, 100), t);
    expectNear(w.quantile(0.01, 3000), 80);
  });

  it('clamps very slow samples to the last bucket and stays finite', () => {
    const w = new LatencyWindow(0);
    fill(w, repeat(60_000, 20), 0);
    const q = w.quantile(0.5, 0)!;
    expect(Number.isFinite(q)).toBe(true);
    expect(q).toBeGreaterThan(5000);
  });

  it('reuses a quantile for 50 ms while the sample count moves by less than 1/16, then recomputes', () => {
    const w = new LatencyWindow(0);
    fill(w, repeat(5, 160), 0);
    expectNear(w.quantile(0.95, 0), 5);
    fill(w, repeat(100, 9), 10); // 9 more of 169: under 1/16, reused
    expectNear(w.quantile(0.95, 10), 5);
    expectNear(w.quantile(0.95, 60), 100); // 50 ms later: recomputed (9 of 169 > 5 %)
    const v = new LatencyWindow(0);
    fill(v, repeat(5, 160), 0);
    expectNear(v.quantile(0.95, 0), 5);
    fill(v, repeat(100, 20), 1); // 20 more of 180: over 1/16, recomputed at once
    expectNear(v.quantile(0.95, 1), 100);
  });
});
