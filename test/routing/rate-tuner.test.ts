// Auto-tune in virtual time: a provider that admits at most 50 requests in any second (the fake
// providers' own RateWindow) and a demand of 150 requests a second offered to the tuner. The tuner
// settles near 50/s with throttling answers under 2 % of its sends after 10 s.
import { describe, expect, it } from 'vitest';
import { RateTuner, TUNING } from '../../src/routing/rate-tuner.js';
import { RateWindow } from '../../src/simulation/rate-window.js';

interface Run {
  sentPerSecond: number[];
  throttledPerSecond: number[];
}

function simulate(limit: number, demandPerSecond: number, seconds: number, rttMs = 6): Run {
  const tuner = new RateTuner();
  const provider = new RateWindow(limit);
  const sentPerSecond = new Array<number>(seconds).fill(0);
  const throttledPerSecond = new Array<number>(seconds).fill(0);
  const answers: { atMs: number; sentAtMs: number; ok: boolean }[] = [];
  const gapMs = 1000 / demandPerSecond;
  let nextArrivalMs = 0;
  for (let nowMs = 0; nowMs < seconds * 1000; nowMs += 0.5) {
    while (answers.length > 0 && answers[0]!.atMs <= nowMs) {
      const a = answers.shift()!;
      if (a.ok) tuner.recordAccepted(nowMs);
      else tuner.onThrottled(a.sentAtMs, nowMs);
    }
    while (nextArrivalMs <= nowMs) {
      nextArrivalMs += gapMs;
      // A request the tuner holds back goes to another upstream in the real dispatcher.
      if (!tuner.allows(nowMs)) continue;
      tuner.recordSend(nowMs);
      const second = Math.floor(nowMs / 1000);
      sentPerSecond[second]!++;
      const ok = provider.admit(nowMs + rttMs / 2);
      if (!ok) throttledPerSecond[second]!++;
      answers.push({ atMs: nowMs + rttMs, sentAtMs: nowMs, ok });
    }
  }
  return { sentPerSecond, throttledPerSecond };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('RateTuner (AIMD)', () => {
  it('settles near a provider limit of 50/s with under 2 % throttled after 10 s', () => {
    const run = simulate(50, 150, 60);
    const sent = sum(run.sentPerSecond.slice(10));
    const throttled = sum(run.throttledPerSecond.slice(10));
    const rate = sent / 50;
    expect(rate).toBeGreaterThan(47);
    expect(rate).toBeLessThanOrEqual(51);
    expect(throttled / sent).toBeLessThan(0.02);
    // Nothing is held back before the first throttling answer: the first second sends more than 50.
    expect(run.sentPerSecond[0]).toBeGreaterThan(60);
  });

  it('follows a lower limit and a higher one alike', () => {
    for (const limit of [10, 200]) {
      const run = simulate(limit, limit * 3, 90);
      const rate = sum(run.sentPerSecond.slice(30)) / 60;
      expect(rate).toBeGreaterThan(limit * 0.9);
      expect(rate).toBeLessThanOrEqual(limit * 1.02);
      expect(sum(run.throttledPerSecond.slice(30)) / sum(run.sentPerSecond.slice(30))).toBeLessThan(0.02);
    }
  });

  it('counts the answers of one burst as one event: one decrease per second at most', () => {
    const tuner = new RateTuner();
    for (let t = 0; t < 1000; t += 10) tuner.recordSend(t);
    for (let t = 0; t < 1000; t += 20) tuner.recordAccepted(t);
    expect(tuner.onThrottled(990, 1000)).toBe(true);
    const first = tuner.rate!;
    expect(first).toBeCloseTo(50 * TUNING.decrease, 0);
    // Sent before the decrease, or within the gap after it: the same event.
    expect(tuner.onThrottled(995, 1005)).toBe(false);
    expect(tuner.onThrottled(1500, 1600)).toBe(false);
    expect(tuner.onThrottled(2100, 2110)).toBe(true);
    expect(tuner.rate!).toBeCloseTo(first * TUNING.decrease, 5);
    expect(tuner.throttles).toBe(4);
    expect(tuner.decreases).toBe(2);
  });

  it('raises the rate only while it holds traffic back', () => {
    const tuner = new RateTuner();
    for (let t = 0; t < 1000; t += 50) {
      tuner.recordSend(t);
      tuner.recordAccepted(t);
    }
    tuner.onThrottled(999, 1000);
    const tuned = tuner.rate!;
    // Demand well under the rate: quiet seconds teach nothing.
    for (let t = 1000; t < 20_000; t += 200) if (tuner.allows(t)) tuner.recordSend(t);
    expect(tuner.rate).toBe(tuned);
    // Demand above it: one step a quiet second.
    for (let t = 20_000; t < 25_000; t += 1) if (tuner.allows(t)) tuner.recordSend(t);
    expect(tuner.rate!).toBeGreaterThan(tuned + 3 * TUNING.minIncrease);
    expect(tuner.rate!).toBeLessThan(tuned * 1.2);
  });
});
