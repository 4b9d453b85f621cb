// Parts of an agave result taken as raw JSON text: accounts carry u64s (rentEpoch is u64::MAX) that a
// JSON.parse round trip would change, so what the client receives is the upstream's own bytes.
import { arrayElements, objectMembers } from '../../rpc/json-raw.js';

/** The raw text of a member path inside `text` (e.g. ['value'] of a {context, value} result). */
export function rawAt(text: string, path: readonly string[]): string | undefined {
  let start = 0;
  let end = text.length;
  try {
    for (const key of path) {
      const members = objectMembers(text, start, end);
      const found = members?.findLast((m) => m.key === key);
      if (!found) return undefined;
      start = found.start;
      end = found.end;
    }
  } catch {
    return undefined;
  }
  return text.slice(start, end).trim();
}

/** The raw elements of an array (undefined when `text` is not one). */
export function rawElements(text: string): string[] | undefined {
  try {
    return arrayElements(text)?.map((s) => text.slice(s.start, s.end));
  } catch {
    return undefined;
  }
}

/** `context.slot` of a result with a context, when it is a safe integer. */
export function contextSlot(text: string): number | undefined {
  const raw = rawAt(text, ['context', 'slot']);
  const slot = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(slot) && slot >= 0 ? slot : undefined;
}
