// The address/topics part of an eth_getLogs or eth_subscribe("logs") filter, as the execution-apis spec
// has it: address is one address or a list (any of them); topics[i] is null (any), one topic, or a list
// (any of them); a log with fewer topics than the filter names does not match.

import type { SimLog } from './sim-logs.js';

export interface LogMatcher {
  /** Lower-case addresses; null matches every address. */
  addresses: Set<string> | null;
  /** One entry per position; null matches anything there. */
  topics: (Set<string> | null)[];
}

const HEX_RE = /^0x[0-9a-fA-F]*$/;

function hexList(value: unknown, what: string): Set<string> | string {
  const items = Array.isArray(value) ? value : [value];
  const out = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string' || !HEX_RE.test(item)) return `bad ${what}`;
    out.add(item.toLowerCase());
  }
  return out;
}

/** The matcher of a filter object, or an error message for invalid params. */
export function parseLogMatcher(filter: { address?: unknown; topics?: unknown }): LogMatcher | string {
  let addresses: Set<string> | null = null;
  if (filter.address !== undefined && filter.address !== null) {
    const parsed = hexList(filter.address, 'address');
    if (typeof parsed === 'string') return parsed;
    // An empty list means "no restriction", as geth reads it.
    addresses = parsed.size === 0 ? null : parsed;
  }
  const topics: (Set<string> | null)[] = [];
  if (filter.topics !== undefined && filter.topics !== null) {
    if (!Array.isArray(filter.topics)) return 'bad topics';
    if (filter.topics.length > 4) return 'too many topics';
    for (const t of filter.topics) {
      if (t === null || (Array.isArray(t) && t.length === 0)) {
        topics.push(null);
        continue;
      }
      const parsed = hexList(t, 'topic');
      if (typeof parsed === 'string') return parsed;
      topics.push(parsed);
    }
  }
  return { addresses, topics };
}

export function logMatches(log: SimLog, m: LogMatcher): boolean {
  if (m.addresses && !m.addresses.has(log.address)) return false;
  if (m.topics.length > log.topics.length) return false;
  for (let i = 0; i < m.topics.length; i++) {
    const wanted = m.topics[i];
    if (wanted && !wanted.has(log.topics[i]!)) return false;
  }
  return true;
}
