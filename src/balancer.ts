// Upstream pick: lowest priority tier first, then power of two choices over a cost (tower's P2C with
// peak-EWMA load). Pure: randomness is injected, costs are computed by the caller.

export function pickP2C<T>(
  items: readonly T[],
  priority: (item: T) => number,
  cost: (item: T) => number,
  random: () => number,
): T | undefined {
  if (items.length === 0) return undefined;
  let best = Number.POSITIVE_INFINITY;
  for (const item of items) best = Math.min(best, priority(item));
  const tier = items.filter((item) => priority(item) === best);
  if (tier.length === 1) return tier[0];
  const i = Math.floor(random() * tier.length);
  // A second index distinct from the first, uniformly among the others.
  let j = Math.floor(random() * (tier.length - 1));
  if (j >= i) j++;
  const a = tier[i]!;
  const b = tier[j]!;
  return cost(b) < cost(a) ? b : a;
}
