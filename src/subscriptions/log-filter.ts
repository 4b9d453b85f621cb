// The filter of a `logs` subscription (eth_subscribe ["logs", {address, topics}]): which logs of the
// canonical chain a subscriber gets. Same rules as eth_getLogs: address is one or a list (any of),
// topics are positional, null matches anything, a list at a position matches any of its entries.
import type { Log } from './block-header.js';

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const TOPIC_RE = /^0x[0-9a-fA-F]{64}$/;
/** geth refuses more than four topic positions: there are at most four topics in a log. */
const MAX_TOPIC_POSITIONS = 4;
const MAX_ALTERNATIVES = 1000;

export interface LogFilter {
  /** Lower-case addresses, any of which matches; empty matches every address. */
  addresses: ReadonlySet<string>;
  /** Per position: lower-case topics any of which matches, or null for any. */
  topics: readonly (ReadonlySet<string> | null)[];
}

export type FilterParse = { ok: true; filter: LogFilter } | { ok: false; message: string };

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

export function parseLogFilter(value: unknown): FilterParse {
  if (value === undefined || value === null)
    return { ok: true, filter: { addresses: new Set(), topics: [] } };
  if (typeof value !== 'object' || Array.isArray(value))
    return { ok: false, message: 'filter must be an object' };
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== 'address' && key !== 'topics') {
      return { ok: false, message: `unsupported filter key "${key.slice(0, 40)}" (address, topics)` };
    }
  }
  const addresses = new Set<string>();
  if (v.address !== undefined && v.address !== null) {
    const given = list(v.address);
    if (given.length > MAX_ALTERNATIVES) return { ok: false, message: 'too many addresses' };
    for (const a of given) {
      if (typeof a !== 'string' || !ADDRESS_RE.test(a)) return { ok: false, message: 'invalid address' };
      addresses.add(a.toLowerCase());
    }
  }
  const topics: (Set<string> | null)[] = [];
  if (v.topics !== undefined && v.topics !== null) {
    if (!Array.isArray(v.topics)) return { ok: false, message: 'topics must be a list' };
    if (v.topics.length > MAX_TOPIC_POSITIONS) return { ok: false, message: 'at most 4 topic positions' };
    for (const position of v.topics) {
      if (position === null) {
        topics.push(null);
        continue;
      }
      const given = list(position);
      if (given.length > MAX_ALTERNATIVES) return { ok: false, message: 'too many topics' };
      const set = new Set<string>();
      for (const t of given) {
        if (typeof t !== 'string' || !TOPIC_RE.test(t)) return { ok: false, message: 'invalid topic' };
        set.add(t.toLowerCase());
      }
      // An empty list at a position is a wildcard, as geth treats it.
      topics.push(set.size === 0 ? null : set);
    }
  }
  return { ok: true, filter: { addresses, topics } };
}

export function matchesLog(filter: LogFilter, log: Log): boolean {
  if (filter.addresses.size > 0 && !filter.addresses.has(log.address)) return false;
  for (let i = 0; i < filter.topics.length; i++) {
    const wanted = filter.topics[i];
    if (wanted === null || wanted === undefined) continue;
    const topic = log.topics[i];
    if (topic === undefined || !wanted.has(topic)) return false;
  }
  return true;
}
