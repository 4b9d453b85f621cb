// Upstream pick: lowest priority tier first, then the cheapest by the caller's cost, ties broken at
// random. Power of two choices exists for balancers that see other balancers' load late; this one
// process knows every in-flight count exactly, and a chain has a handful of upstreams, so it scans them
// all. That matters in an outage: P2C over [bad, bad, good, good, good] draws two bad ones one time in
// ten, and those requests pay a hedge delay. Pure: randomness is injected, costs come from the caller.

export function pickCheapest<T>(
  items: readonly T[],
  priority: (item: T) => number,
  cost: (item: T) => number,
  random: () => number,
): T | undefined {
  if (items.length <= 1) return items[0];
  let tier = Number.POSITIVE_INFINITY;
  for (const item of items) tier = Math.min(tier, priority(item));
  let best: T | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  let ties = 0;
  for (const item of items) {
    if (priority(item) !== tier) continue;
    const c = cost(item);
    if (best === undefined || c < bestCost) {
      best = item;
      bestCost = c;
      ties = 1;
    } else if (c === bestCost) {
      // Reservoir sampling: each of the equally cheap items ends up picked with probability 1/ties.
      ties++;
      if (random() * ties < 1) best = item;
    }
  }
  return best;
}
