// The nearest-rank quantile the provider ranking reports (and the bench's analysis uses). Pure.

/** Nearest-rank quantile of an ascending array; undefined when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank];
}
