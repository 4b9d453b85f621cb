// pickCheapest: priority tiers first, then the lowest cost, equal (or near-equal) costs shared at random.
import { describe, expect, it, vi } from 'vitest';
import { pickCheapest } from '../../src/routing/balancer.js';

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

function countPicks(items: Item[], picks: number, random: () => number): Map<string, number> {
  const counts = new Map<string, number>(items.map((i) => [i.name, 0]));
  for (let n = 0; n < picks; n++) {
    const picked = pickCheapest(items, byPriority, byCost, random)!;
    counts.set(picked.name, counts.get(picked.name)! + 1);
  }
  return counts;
}

describe('pickCheapest', () => {
  it('returns undefined for no items without drawing randomness', () => {
    const random = vi.fn(() => 0.5);
    expect(pickCheapest([], byPriority, byCost, random)).toBeUndefined();
    expect(random).not.toHaveBeenCalled();
  });

  it('returns the only item without drawing randomness or asking its cost', () => {
    const random = vi.fn(() => 0.5);
    const cost = vi.fn(byCost);
    const only = item('only', 1000);
    expect(pickCheapest([only], byPriority, cost, random)).toBe(only);
    expect(random).not.toHaveBeenCalled();
    expect(cost).not.toHaveBeenCalled();
  });

  it('picks only from the lowest priority tier, however cheap the others are', () => {
    const items = [item('backup', 1, 1), item('p0-slow', 100, 0), item('p0-fast', 50, 0), item('last', 0, 2)];
    expect(pickCheapest(items, byPriority, byCost, seeded(1))!.name).toBe('p0-fast');
  });

  it('never picks a dearer item while a cheaper one is there, in any order', () => {
    const names = ['bad1', 'bad2', 'good', 'ok1', 'ok2'];
    const costs = [62, 62, 6, 6.5, 12];
    // Every rotation of the list: the pick must not depend on where the cheapest sits.
    for (let r = 0; r < names.length; r++) {
      const items = names.map((_, k) => item(names[(k + r) % 5]!, costs[(k + r) % 5]!));
      const counts = countPicks(items, 500, seeded(r + 1));
      expect(counts.get('good')).toBe(500);
    }
  });

  it('asks each cost once and draws randomness only to break ties', () => {
    const items = [item('a', 3), item('b', 1), item('c', 2)];
    const random = vi.fn(() => 0.5);
    const cost = vi.fn(byCost);
    expect(pickCheapest(items, byPriority, cost, random)!.name).toBe('b');
    expect(cost).toHaveBeenCalledTimes(3);
    expect(random).not.toHaveBeenCalled();
  });

  it('shares picks evenly between equally cheap items and leaves the dearer one out', () => {
    const items = [item('a', 1), item('b', 1), item('dear', 1.0001), item('c', 1), item('d', 1)];
    const counts = countPicks(items, 4000, seeded(7));
    expect(counts.get('dear')).toBe(0);
    for (const name of ['a', 'b', 'c', 'd']) {
      expect(counts.get(name)).toBeGreaterThan(850);
      expect(counts.get(name)).toBeLessThan(1150);
    }
  });

  it('handles negative and zero costs like any other number', () => {
    const items = [item('zero', 0), item('neg', -1), item('pos', 1)];
    expect(pickCheapest(items, byPriority, byCost, seeded(2))!.name).toBe('neg');
  });

  it('shares picks among items within the near-tie band of the cheapest, and only those', () => {
    const items = [item('best', 2), item('close', 2.4), item('edge', 2.5), item('out', 2.51), item('far', 6)];
    const counts = new Map<string, number>();
    const random = seeded(11);
    for (let n = 0; n < 3000; n++) {
      const picked = pickCheapest(items, byPriority, byCost, random, 0.25)!;
      counts.set(picked.name, (counts.get(picked.name) ?? 0) + 1);
    }
    expect(counts.get('out')).toBeUndefined();
    expect(counts.get('far')).toBeUndefined();
    for (const name of ['best', 'close', 'edge']) {
      expect(counts.get(name)).toBeGreaterThan(850);
      expect(counts.get(name)).toBeLessThan(1150);
    }
  });
});
