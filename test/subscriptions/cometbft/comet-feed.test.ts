// The CometBFT feed's ordering rules in virtual time, with in-memory upstream data: each height once
// and in order whoever announces it, missed heights fetched before newer ones, a fetch that finds
// nothing retried, a gap beyond maxBackfill skipped and counted, and client queries evaluated per event.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/log/logger.js';
import { ChainRuntime } from '../../../src/routing/chain.js';
import { Dispatcher } from '../../../src/routing/dispatcher.js';
import { nullObserver, type Observer } from '../../../src/routing/observer.js';
import type { Upstream } from '../../../src/routing/upstream.js';
import { CometFeed } from '../../../src/subscriptions/cometbft/comet-feed.js';
import type { CometFeedData } from '../../../src/subscriptions/cometbft/comet-fetch.js';
import { type CometHeight, heightFromNewBlock } from '../../../src/subscriptions/cometbft/comet-height.js';
import { parseCometQuery } from '../../../src/subscriptions/cometbft/comet-query.js';

function newBlock(h: number, txs: string[] = []) {
  return {
    block: { header: { chain_id: 'cosmoshub-4', height: String(h) }, data: { txs } },
    block_id: { hash: `H${h}` },
    result_finalize_block: {
      events: [{ type: 'mint', attributes: [{ key: 'amount', value: `${h}` }] }],
      tx_results: txs.map((_, i) => ({
        code: 0,
        events: [{ type: 'transfer', attributes: [{ key: 'recipient', value: i === 0 ? 'alice' : 'bob' }] }],
      })),
    },
  };
}

const height = (h: number, txs: string[] = []) => heightFromNewBlock(newBlock(h, txs))!;

let chain: ChainRuntime;
let feed: CometFeed;
let upstreams: Upstream[];
/** Heights any upstream can serve over HTTP; missing: no upstream has it yet. */
const served = new Map<number, CometHeight>();
const fetched: number[] = [];
const events: Record<string, number> = {};
const frames: { sub: string; type: string; height: number }[] = [];

const data: CometFeedData = {
  height: async (h) => {
    fetched.push(h);
    return served.get(h);
  },
  latestOf: async () => undefined,
};

function subscribe(id: string, query: string): void {
  const parsed = parseCometQuery(query);
  if ('error' in parsed) throw new Error(parsed.error);
  feed.add({
    idRaw: JSON.stringify(id),
    query: parsed,
    sink: {
      notify: (text) => {
        const f = JSON.parse(text) as {
          id: string;
          result: {
            data: { type: string; value: Record<string, { header?: { height: string }; height?: string }> };
          };
        };
        const v = f.result.data.value;
        const h = v.block?.header?.height ?? v.header?.height ?? v.TxResult?.height;
        frames.push({ sub: f.id, type: f.result.data.type.split('/').at(-1)!, height: Number(h) });
      },
    },
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  const config = buildConfig(
    {
      subscriptions: { maxBackfill: 5 },
      chains: [
        {
          name: 'hub',
          family: 'cometbft',
          network: 'cosmoshub-4',
          upstreams: [
            { name: 'u1', url: 'http://127.0.0.1:1', region: 'r1', provider: 'p1' },
            { name: 'u2', url: 'http://127.0.0.1:2', region: 'r2', provider: 'p2' },
          ],
        },
      ],
    },
    'test.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, Date.now());
  upstreams = [...chain.upstreams];
  for (const u of upstreams) u.reportedIdentity = 'cosmoshub-4';
  const observer: Observer = {
    ...nullObserver,
    feedEvent: (_c, event, count) => {
      events[event] = (events[event] ?? 0) + count;
    },
  };
  feed = new CometFeed(
    { chain, dispatcher: new Dispatcher(nullObserver) },
    createLogger('error', [], () => {}),
    observer,
    () => 0.5,
    data,
  );
  for (let h = 1; h <= 200; h++) served.set(h, height(h));
});

afterEach(async () => {
  feed.close();
  await chain.close();
  served.clear();
  fetched.length = 0;
  frames.length = 0;
  for (const k of Object.keys(events)) delete events[k];
  vi.useRealTimers();
});

const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const heightsOf = (sub: string, type = 'NewBlock') =>
  frames.filter((f) => f.sub === sub && f.type === type).map((f) => f.height);

describe('CometFeed', () => {
  it('delivers each pushed height once, whichever upstream is first, in order', async () => {
    subscribe('b', "tm.event='NewBlock'");
    feed.height(upstreams[0]!, 100, height(100));
    feed.height(upstreams[1]!, 100, height(100));
    feed.height(upstreams[1]!, 101, height(101));
    feed.height(upstreams[0]!, 101, height(101));
    feed.height(upstreams[0]!, 99, height(99));
    await settle();
    expect(heightsOf('b')).toEqual([100, 101]);
    expect(fetched).toEqual([]);
  });

  it('fetches missed heights before a newer pushed one, and counts them as backfilled', async () => {
    subscribe('b', "tm.event='NewBlock'");
    feed.height(upstreams[0]!, 100, height(100));
    await settle();
    feed.height(upstreams[1]!, 104, height(104));
    await settle();
    expect(heightsOf('b')).toEqual([100, 101, 102, 103, 104]);
    expect(fetched).toEqual([101, 102, 103]);
    expect(events.backfilled_block).toBe(3);
  });

  it('a height announced by a poll (no data) is fetched; one nobody has yet is asked again later', async () => {
    subscribe('b', "tm.event='NewBlock'");
    served.delete(51);
    feed.height(upstreams[0]!, 50, undefined);
    feed.height(upstreams[0]!, 52, undefined);
    await settle();
    expect(heightsOf('b')).toEqual([50]);
    served.set(51, height(51));
    await settle(2000);
    expect(heightsOf('b')).toEqual([50, 51, 52]);
    expect(fetched.filter((h) => h === 51).length).toBeGreaterThan(1);
  });

  it('skips a gap longer than maxBackfill, counted', async () => {
    subscribe('b', "tm.event='NewBlock'");
    feed.height(upstreams[0]!, 10, height(10));
    await settle();
    feed.height(upstreams[0]!, 30, height(30));
    await settle();
    expect(heightsOf('b')).toEqual([10, 26, 27, 28, 29, 30]);
    expect(events.skipped_block).toBe(15);
  });

  it('evaluates each query per event: NewBlock, NewBlockHeader, Tx with AND conditions', async () => {
    subscribe('all-tx', "tm.event='Tx'");
    subscribe('alice', "tm.event='Tx' AND transfer.recipient='alice' AND tx.height>=7");
    subscribe('hdr', "tm.event='NewBlockHeader'");
    subscribe('mint', 'mint.amount > 6');
    feed.height(upstreams[0]!, 6, height(6, ['dHgx', 'dHgy']));
    feed.height(upstreams[0]!, 7, height(7, ['dHgz', 'dHg0']));
    await settle();
    expect(frames.filter((f) => f.sub === 'all-tx').map((f) => f.height)).toEqual([6, 6, 7, 7]);
    expect(frames.filter((f) => f.sub === 'alice').map((f) => f.height)).toEqual([7]);
    expect(heightsOf('hdr', 'NewBlockHeader')).toEqual([6, 7]);
    // No tm.event: any event type whose keys match (only NewBlock carries mint.amount).
    expect(frames.filter((f) => f.sub === 'mint')).toEqual([{ sub: 'mint', type: 'NewBlock', height: 7 }]);
  });

  it('ignores heights from an upstream whose network is wrong or unchecked', async () => {
    subscribe('b', "tm.event='NewBlock'");
    upstreams[1]!.reportedIdentity = undefined;
    feed.height(upstreams[1]!, 100, height(100));
    await settle();
    expect(frames).toEqual([]);
    feed.height(upstreams[0]!, 100, height(100));
    await settle();
    expect(heightsOf('b')).toEqual([100]);
  });
});

describe('parseCometQuery', () => {
  it('parses CometBFT queries and refuses what it cannot serve', () => {
    const ok = parseCometQuery(
      "tm.event = 'Tx' AND transfer.amount > 5 AND message.sender CONTAINS 'cosmos1' AND a.b EXISTS",
    );
    expect('error' in ok).toBe(false);
    expect(parseCometQuery("block.time >= TIME 2024-01-01T00:00:00Z AND tm.event='NewBlock'")).toMatchObject({
      types: ['NewBlock'],
    });
    expect(parseCometQuery('a.b = 1 OR c.d = 2')).toHaveProperty('error');
    expect(parseCometQuery("tm.event='Vote'")).toHaveProperty('error');
    expect(parseCometQuery("tm.event='Tx' AND")).toHaveProperty('error');
    expect(parseCometQuery('')).toHaveProperty('error');
    expect(parseCometQuery(`a.b='${'x'.repeat(600)}'`)).toEqual({ error: 'maximum query length exceeded' });
  });
});
