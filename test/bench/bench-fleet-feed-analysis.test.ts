// The subscription benchmark's figures from a made-up record: what counts as missed, duplicated, out of
// order, owed removed:true, and the head delay. The report's comparison is only as right as these rules.

import { describe, expect, it } from 'vitest';
import { analyzeFeed, type FeedTruth, logKey } from '../../bench/subscriptions/analyze.js';
import type { SubscriberRecord } from '../../bench/subscriptions/subscriber.js';

const truth: FeedTruth = {
  canonical: [
    { number: 10, hash: '0xa10', producedAtMs: 1000 },
    { number: 11, hash: '0xb11', producedAtMs: 1200 },
    { number: 12, hash: '0xb12', producedAtMs: 1400 },
  ],
  canonicalLogs: [logKey('0xa10', 0), logKey('0xb11', 1), logKey('0xb12', 2)],
  orphanedLogs: [logKey('0xa11', 1), logKey('0xa12', 2)],
};

function record(partial: Partial<SubscriberRecord>): SubscriberRecord {
  return {
    heads: [],
    logs: [],
    connections: 1,
    failedAttempts: 0,
    lastFailure: null,
    subscriptionIds: ['0x1', '0x2'],
    closes: 0,
    ...partial,
  };
}

const log = (blockHash: string, blockNumber: number, logIndex: number, removed = false) => ({
  blockHash,
  blockNumber,
  logIndex,
  transactionHash: '0x',
  removed,
  atMs: 0,
});

describe('analyzeFeed', () => {
  it('a reorg delivered as Switchyard should: nothing missed, orphans neither missed nor out of order', () => {
    const f = analyzeFeed(
      truth,
      record({
        heads: [
          { number: 10, hash: '0xa10', atMs: 1003 },
          { number: 11, hash: '0xa11', atMs: 1205 }, // orphaned later
          { number: 12, hash: '0xa12', atMs: 1404 },
          { number: 11, hash: '0xb11', atMs: 1500 },
          { number: 12, hash: '0xb12', atMs: 1501 },
          { number: 13, hash: '0xc13', atMs: 1700 }, // outside the window
        ],
        logs: [
          log('0xa10', 10, 0),
          log('0xa11', 11, 1),
          log('0xa12', 12, 2),
          log('0xa12', 12, 2, true),
          log('0xa11', 11, 1, true),
          log('0xb11', 11, 1),
          log('0xb12', 12, 2),
        ],
      }),
    );
    expect(f).toMatchObject({
      blocks: 3,
      blocksMissed: 0,
      blocksDuplicated: 0,
      blocksOutOfOrder: 0,
      logs: 3,
      logsMissed: 0,
      logsDuplicated: 0,
      removedOwed: 2,
      removedReceived: 2,
      sameConnectionAndIds: true,
    });
    // 3 ms for 10, 300 ms for the replacement 11 (produced at 1200), 101 ms for 12.
    expect(f.headDelay).toEqual({ p50Ms: 101, p99Ms: 300, maxMs: 300 });
  });

  it('counts gaps, repeats, a lower canonical block after a higher one, and changed connections', () => {
    const f = analyzeFeed(
      truth,
      record({
        heads: [
          { number: 12, hash: '0xb12', atMs: 1410 },
          { number: 10, hash: '0xa10', atMs: 1420 },
          { number: 10, hash: '0xa10', atMs: 1430 },
        ],
        logs: [log('0xa10', 10, 0), log('0xa10', 10, 0), log('0xa11', 11, 1)],
        connections: 2,
        subscriptionIds: ['0x1', '0x2', '0x3', '0x4'],
      }),
    );
    expect(f).toMatchObject({
      blocksMissed: 1,
      blocksDuplicated: 1,
      blocksOutOfOrder: 2,
      logsMissed: 2,
      logsDuplicated: 1,
      removedOwed: 1,
      removedReceived: 0,
      distinctSubscriptionIds: 4,
      sameConnectionAndIds: false,
    });
  });

  it('reports no delay when nothing arrived', () => {
    const f = analyzeFeed(
      truth,
      record({ connections: 0, subscriptionIds: [], lastFailure: 'ECONNREFUSED' }),
    );
    expect(f.headDelay).toBeNull();
    expect(f.blocksMissed).toBe(3);
    expect(f.lastFailure).toBe('ECONNREFUSED');
  });
});
