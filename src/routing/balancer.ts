// Upstream pick: lowest priority tier first, then the cheapest by the caller's cost, shared at random
// among those within `nearTie` of the cheapest. Power of two choices exists for balancers that see
// other balancers' load late; this one process knows every in-flight count exactly, and a chain has a
// handful of upstreams, so it scans them all. That matters in an outage: P2C over [bad, bad, good,
// good, good] draws two bad ones one time in ten, and those requests pay a hedge delay. The near-tie
// share keeps latency estimates' noise from deciding alone: two upstreams of one region at 2.0 and
// 2.3 ms both carry traffic, so a hang of the region shows on both at once and its domain opens.
// Pure: randomness is injected, costs come from the caller.

// Reused by every pick (it runs synchronously, once per attempt): no arrays allocated per call.
const scratchItems: unknown[] = [];
const scratchCosts: number[] = [];

export function pickCheapest<T>(
  items: readonly T[],
  priority: (item: T) => number,
  cost: (item: T) => number,
  random: () => number,
  nearTie = 0,
): T | undefined {
  if (items.length <= 1) return items[0];
  let tier = Number.POSITIVE_INFINITY;
  for (const item of items) tier = Math.min(tier, priority(item));
  const inTier = scratchItems as T[];
  const costs = scratchCosts;
  inTier.length = 0;
  costs.length = 0;
  let best = Number.POSITIVE_INFINITY;
  for (const item of items) {
    if (priority(item) !== tier) continue;
    const c = cost(item);
    inTier.push(item);
    costs.push(c);
    if (c < best) best = c;
  }
  // Costs are >= 0 in practice; a negative best keeps the band at exactly the best.
  const limit = best + Math.max(0, best) * nearTie;
  let picked: T | undefined;
  let seen = 0;
  for (let i = 0; i < inTier.length; i++) {
    if (costs[i]! > limit) continue;
    // Reservoir sampling: each item inside the band ends up picked with probability 1/seen.
    seen++;
    if (seen === 1 || random() * seen < 1) picked = inTier[i];
  }
  inTier.length = 0; // hold no upstream past the pick
  return picked;
}
