// What one subscriber saw against what the chain did: canonical blocks and logs missed, duplicated and
// out of order, removed:true for orphaned logs, head delay from block production, and whether the
// connection and subscription ids stayed the same. Pure: the truth and the record come in as data.

import { quantileSorted } from '../load/stats.js';
import type { SubscriberRecord } from './subscriber.js';

export interface FeedTruth {
  /** Canonical blocks of the measured window, in height order, with their production time. */
  canonical: { number: number; hash: string; producedAtMs: number | undefined }[];
  /** Keys (logKey) of the window's canonical logs that match the subscriber's filter. */
  canonicalLogs: string[];
  /** Keys of matching logs in blocks orphaned during the window. */
  orphanedLogs: string[];
}

export interface DelaySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface FeedFigures {
  blocks: number;
  blocksMissed: number;
  /** The same block hash delivered more than once (extra deliveries). */
  blocksDuplicated: number;
  /** A canonical block delivered after a higher canonical block. */
  blocksOutOfOrder: number;
  /** Delay of each canonical block's first delivery after its production; null when none arrived. */
  headDelay: DelaySummary | null;
  logs: number;
  logsMissed: number;
  logsDuplicated: number;
  /** Orphaned logs the subscriber had received, which it is owed a removed:true for. */
  removedOwed: number;
  removedReceived: number;
  connections: number;
  failedAttempts: number;
  lastFailure: string | null;
  distinctSubscriptionIds: number;
  /** One connection for the whole run and the same two subscription ids. */
  sameConnectionAndIds: boolean;
}

export function logKey(blockHash: string, logIndex: number): string {
  return `${blockHash.toLowerCase()}:${logIndex}`;
}

export function delays(values: number[]): DelaySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    p50Ms: round(quantileSorted(sorted, 0.5)!),
    p99Ms: round(quantileSorted(sorted, 0.99)!),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

export function analyzeFeed(truth: FeedTruth, record: SubscriberRecord): FeedFigures {
  const canonicalByHash = new Map(truth.canonical.map((b) => [b.hash.toLowerCase(), b]));
  const first = truth.canonical[0]?.number ?? 0;
  const last = truth.canonical[truth.canonical.length - 1]?.number ?? -1;
  const seen = new Map<string, number>();
  let outOfOrder = 0;
  let highestCanonical = -1;
  const delayValues: number[] = [];
  for (const head of record.heads) {
    if (head.number < first || head.number > last) continue;
    const hash = head.hash.toLowerCase();
    const times = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, times);
    const canonical = canonicalByHash.get(hash);
    if (!canonical) continue; // an orphan: neither missed nor out of order
    if (head.number < highestCanonical) outOfOrder++;
    highestCanonical = Math.max(highestCanonical, head.number);
    if (times === 1 && canonical.producedAtMs !== undefined)
      delayValues.push(head.atMs - canonical.producedAtMs);
  }
  let duplicated = 0;
  for (const times of seen.values()) duplicated += times - 1;
  const missed = truth.canonical.filter((b) => !seen.has(b.hash.toLowerCase())).length;

  const delivered = new Map<string, number>();
  const removed = new Set<string>();
  for (const log of record.logs) {
    if (log.blockNumber < first || log.blockNumber > last) continue;
    const key = logKey(log.blockHash, log.logIndex);
    if (log.removed) removed.add(key);
    else delivered.set(key, (delivered.get(key) ?? 0) + 1);
  }
  let logsDuplicated = 0;
  for (const times of delivered.values()) logsDuplicated += times - 1;
  const owed = truth.orphanedLogs.filter((k) => delivered.has(k));
  const ids = new Set(record.subscriptionIds);
  return {
    blocks: truth.canonical.length,
    blocksMissed: missed,
    blocksDuplicated: duplicated,
    blocksOutOfOrder: outOfOrder,
    headDelay: delays(delayValues),
    logs: truth.canonicalLogs.length,
    logsMissed: truth.canonicalLogs.filter((k) => !delivered.has(k)).length,
    logsDuplicated,
    removedOwed: owed.length,
    removedReceived: owed.filter((k) => removed.has(k)).length,
    connections: record.connections,
    failedAttempts: record.failedAttempts,
    lastFailure: record.lastFailure,
    distinctSubscriptionIds: ids.size,
    sameConnectionAndIds: record.connections === 1 && ids.size === 2,
  };
}
