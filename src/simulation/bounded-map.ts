// The simulated chain keeps per-block memories in insertion-ordered maps; this bounds them so a long
// benchmark cannot grow them without limit.

/** Deletes the oldest entries of an insertion-ordered map until it has room for one more. */
export function makeRoom<K, V>(map: Map<K, V>, limit: number): void {
  while (map.size >= limit) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}
