// Small numeric helpers shared by the load driver and the analysis. Pure.
import { quantileSorted } from '../../src/cli/quantile.js';

export { quantileSorted };

export interface Summary {
  count: number;
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
  max: number | undefined;
  mean: number | undefined;
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: n === 0 ? undefined : sorted[n - 1],
    mean: n === 0 ? undefined : sum / n,
  };
}

/** Median (the mean of the middle two, rounded, for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** Deterministic [0, 1) generator (mulberry32), so every target sees the same request sequence. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Epoch milliseconds with sub-millisecond precision, on the monotonic clock. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
