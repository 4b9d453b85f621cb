// pickP2C: priority tiers first, then power of two choices over the caller's cost.
import { describe, expect, it, vi } from 'vitest';
import { pickP2C } from '../../src/balancer.js';

interface Item {
  name: string;
  priority: number;
  cost: number;
}

const item = (name: string, cost: number, priority = 0): Item => ({ name, priority, cost });
const byPriority = (i: Item) => i.priority;
const byCost = (i: Item) => i.cost;

/** A deterministic [0, 1) source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the given values in order, then fails the test if asked for more. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('random called too often');
    return values[i++]!;
  };
}

function countPicks(items: Item[], picks: number, random: () => number): Map<string, number> {
  const counts = new Map<string, number>(items.map((i) => [i.name, 0]));
  for (let n = 0; n < picks; n++) {
    const picked = pickP2C(items, byPriority, byCost, random)!;
    counts.set(picked.name, counts.get(picked.name)! + 1);
  }
  return counts;
}

describe('pickP2C', () => {
  it('returns undefined for no items without drawing randomness', () => {
    const random = vi.fn(() => 0.5);
    expect(pickP2C([], byPriority, byCost, random)).toBeUndefined();
    expect(random).not.toHaveBeenCalled();
  });

  it('returns the only item without drawing randomness', () => {
    const random = vi.fn(() => 0.5);
    const only = item('only', 1000);
    expect(pickP2C([only], byPriority, byCost, random)).toBe(only);
    expect(random).not.toHaveBeenCalled();
  });

  it('picks only from the lowest priority tier', () => {
    const items = [item('backup', 1, 1), item('p0-slow', 100, 0), item('p0-fast', 50, 0), item('last', 0, 2)];
    const counts = countPicks(items, 500, seeded(1));
    expect(counts.get('backup')).toBe(0);
    expect(counts.get('last')).toBe(0);
    // two in the tier: the cheaper always wins
    expect(counts.get('p0-fast')).toBe(500);
  });

  it('returns a lone item of the lowest tier however expensive, without drawing randomness', () => {
    const random = vi.fn(() => 0.5);
    const primary = item('primary', 1e9, 0);
    expect(pickP2C([item('x', 1, 5), primary, item('y', 1, 3)], byPriority, byCost, random)).toBe(primary);
    expect(random).not.toHaveBeenCalled();
  });

  it('handles negative priorities as more preferred', () => {
    const items = [item('zero', 1, 0), item('neg', 99, -1)];
    expect(pickP2C(items, byPriority, byCost, seeded(2))!.name).toBe('neg');
  });

  it('of two items always picks the cheaper one', () => {
    const cheap = item('cheap', 10);
    const dear = item('dear', 11);
    for (const r of [0, 0.3, 0.5, 0.7, 0.99]) {
      expect(pickP2C([cheap, dear], byPriority, byCost, () => r)).toBe(cheap);
      expect(pickP2C([dear, cheap], byPriority, byCost, () => r)).toBe(cheap);
    }
  });

  it('keeps the first sampled item on a tie', () => {
    const a = item('a', 5);
    const b = item('b', 5);
    // i = 0, j = 0 → 1: first sampled is a
    expect(pickP2C([a, b], byPriority, byCost, sequence(0, 0))).toBe(a);
    // i = 1, j = 0: first sampled is b
    expect(pickP2C([a, b], byPriority, byCost, sequence(0.9, 0))).toBe(b);
  });

  it('over many seeded picks of 3, favours the cheapest and never picks the most expensive', () => {
    const items = [item('mid', 20), item('worst', 30), item('best', 10)];
    const picks = 3000;
    const counts = countPicks(items, picks, seeded(42));
    const best = counts.get('best')!;
    const mid = counts.get('mid')!;
    expect(counts.get('worst')).toBe(0);
    expect(best + mid).toBe(picks);
    expect(best).toBeGreaterThan(mid);
    // best wins 2 of the 3 possible pairs
    expect(best / picks).toBeGreaterThan(0.6);
    expect(best / picks).toBeLessThan(0.73);
  });

  it('spreads picks between equally cheap items', () => {
    const items = [item('a', 1), item('b', 1), item('c', 1), item('d', 1)];
    const counts = countPicks(items, 4000, seeded(7));
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(800);
      expect(n).toBeLessThan(1200);
    }
  });

  it('always samples two distinct items, drawing randomness exactly twice', () => {
    for (let n = 2; n <= 5; n++) {
      const items = Array.from({ length: n }, (_, k) => item(`u${k}`, k));
      for (let k = 0; k < n; k++) {
        for (const r2 of [0, 0.25, 0.5, 0.75, 0.999999]) {
          const sampled: Item[] = [];
          const cost = (i: Item) => {
            sampled.push(i);
            return i.cost;
          };
          const random = vi.fn(sequence(k / n, r2));
          const picked = pickP2C(items, byPriority, cost, random);
          expect(random).toHaveBeenCalledTimes(2);
          expect(new Set(sampled).size).toBe(2);
          expect(sampled).toContain(items[k]);
          expect(sampled).toContain(picked);
        }
      }
    }
  });

  it('samples every ordered pair of distinct items exactly once over a uniform grid of draws', () => {
    const n = 4;
    const items = Array.from({ length: n }, (_, k) => item(`u${k}`, k));
    const pairs = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      for (let m = 0; m < n - 1; m++) {
        const sampled: string[] = [];
        const cost = (i: Item) => {
          sampled.push(i.name);
          return i.cost;
        };
        pickP2C(items, byPriority, cost, sequence((k + 0.5) / n, (m + 0.5) / (n - 1)));
        // the first draw picks u<k>; the second must pick one of the others
        expect(sampled).toContain(`u${k}`);
        const other = sampled.find((name) => name !== `u${k}`);
        const key = `u${k}>${other}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
    expect(pairs.size).toBe(n * (n - 1));
    for (const count of pairs.values()) expect(count).toBe(1);
    for (const key of pairs.keys()) {
      const [first, second] = key.split('>');
      expect(first).not.toBe(second);
    }
  });
});
