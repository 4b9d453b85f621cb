// The chain feed's ordering rules, in virtual time with in-memory upstream data: heads once and in
// order whatever announces them, logs strictly in block order even when one block's logs are late,
// orphaned blocks' logs never sent if they had not gone out yet, and removed when they had.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { Dispatcher } from '../../src/routing/dispatcher.js';
import { nullObserver } from '../../src/routing/observer.js';
import type { Upstream } from '../../src/routing/upstream.js';
import type { BlockHeader, Log } from '../../src/subscriptions/block-header.js';
import { ChainFeed } from '../../src/subscriptions/chain-feed.js';
import type { FeedData } from '../../src/subscriptions/feed-fetcher.js';

const h = (n: number, fork = 'a') => `0x${fork.padStart(8, '0')}${n.toString(16).padStart(56, '0')}`;

function block(n: number, fork = 'a', parentFork = fork): BlockHeader {
  return {
    number: n,
    hash: h(n, fork),
    parentHash: h(n - 1, parentFork),
    mayHaveLogs: true,
    json: JSON.stringify({ number: `0x${n.toString(16)}`, hash: h(n, fork) }),
  };
}

function log(b: BlockHeader, i: number): Log {
  const fields = { blockHash: b.hash, logIndex: `0x${i}`, address: `0x${'a'.repeat(40)}`, topics: [] };
  return { blockHash: b.hash, logIndex: `0x${i}`, address: `0x${'a'.repeat(40)}`, topics: [], fields };
}

let chain: ChainRuntime;
let feed: ChainFeed;
let upstreams: Upstream[];
const known = new Map<string, BlockHeader>();
/** Logs per block hash; a block missing here has no logs on any upstream yet. */
const logsByHash = new Map<string, Log[]>();
const received: {
  sub: string;
  result: { number?: string; blockHash?: string; logIndex?: string; removed?: boolean };
}[] = [];

const data: FeedData = {
  blocks: {
    byHash: async (hash) => known.get(hash),
    byNumber: async (n) => [...known.values()].find((b) => b.number === n && b.hash.includes('0000000a')),
  },
  logs: async (b) => logsByHash.get(b.hash),
  latestOf: async () => undefined,
};

beforeEach(() => {
  vi.useFakeTimers();
  const config = buildConfig(
    {
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
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
  for (const u of upstreams) u.reportedChainId = 1;
  const logger = createLogger('error', [], () => {});
  feed = new ChainFeed(
    { chain, dispatcher: new Dispatcher(nullObserver) },
    logger,
    nullObserver,
    () => 0.5,
    data,
  );
  for (let n = 0; n <= 100; n++) known.set(h(n), block(n));
  const sink = (sub: string) => ({
    notify: (text: string) => received.push({ sub, result: JSON.parse(text).params.result }),
  });
  feed.add({ id: 'heads', kind: 'newHeads', filter: undefined, sink: sink('heads'), sinceSeq: 0 });
  feed.add({ id: 'logs', kind: 'logs', filter: undefined, sink: sink('logs'), sinceSeq: 0 });
});

afterEach(async () => {
  feed.close();
  await chain.close();
  known.clear();
  logsByHash.clear();
  received.length = 0;
  vi.useRealTimers();
});

/** Lets the feed's promise chains and due timers run. */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

function announce(u: Upstream, b: BlockHeader): void {
  known.set(b.hash, b);
  feed.head(u, b);
}

const heads = () =>
  received.filter((r) => r.sub === 'heads').map((r) => Number.parseInt(r.result.number!, 16));
const logs = () =>
  received
    .filter((r) => r.sub === 'logs')
    .map(
      (r) =>
        `${Number.parseInt(r.result.blockHash!.slice(-8), 16)}:${r.result.logIndex}${r.result.removed ? ' removed' : ''}`,
    );

describe('ChainFeed', () => {
  it('announces each block once, whichever upstream is first, and ignores lagging heads', async () => {
    announce(upstreams[0]!, block(100));
    await settle();
    for (const n of [101, 102]) {
      logsByHash.set(h(n), []);
      announce(upstreams[0]!, block(n));
      announce(upstreams[1]!, block(n));
      await settle();
    }
    announce(upstreams[1]!, block(101));
    await settle();
    expect(heads()).toEqual([101, 102]);
    expect(chain.servedHead).toBe(102);
    expect(upstreams[1]!.head).toBe(102);
  });

  it('ignores heads from an upstream whose chain id is unchecked or wrong', async () => {
    announce(upstreams[0]!, block(100));
    await settle();
    upstreams[1]!.wrongChain = true;
    announce(upstreams[1]!, block(101));
    upstreams[0]!.reportedChainId = undefined;
    announce(upstreams[0]!, block(101));
    await settle();
    expect(heads()).toEqual([]);
  });

  it('holds later logs back until a late block has its logs; heads are not held', async () => {
    announce(upstreams[0]!, block(100));
    await settle();
    announce(upstreams[0]!, block(101));
    logsByHash.set(h(102), [log(block(102), 0)]);
    announce(upstreams[0]!, block(102));
    await settle(100);
    expect(heads()).toEqual([101, 102]);
    expect(logs()).toEqual([]);
    logsByHash.set(h(101), [log(block(101), 0), log(block(101), 1)]);
    await settle(2000);
    expect(logs()).toEqual(['101:0x0', '101:0x1', '102:0x0']);
  });

  it('a block orphaned before its logs went out never sends them; one orphaned after sends them removed', async () => {
    announce(upstreams[0]!, block(100));
    await settle();
    logsByHash.set(h(101), [log(block(101), 0)]);
    announce(upstreams[0]!, block(101));
    await settle();
    // 102 on fork a: its logs are not on any upstream yet when the reorg replaces 101 and 102.
    announce(upstreams[0]!, block(102));
    await settle(10);
    const b101 = block(101, 'b', 'a');
    const b102 = block(102, 'b');
    known.set(b101.hash, b101);
    logsByHash.set(b101.hash, [log(b101, 0)]);
    logsByHash.set(b102.hash, [log(b102, 0)]);
    announce(upstreams[1]!, b102);
    await settle(100);
    logsByHash.set(h(102), [log(block(102), 0)]);
    await settle(3000);
    expect(heads()).toEqual([101, 102, 101, 102]);
    expect(logs()).toEqual(['101:0x0', '101:0x0 removed', '101:0x0', '102:0x0']);
    expect(received.filter((r) => r.sub === 'logs').at(-2)!.result.blockHash).toBe(b101.hash);
  });

  it('stops when the last subscription leaves and starts afresh', async () => {
    announce(upstreams[0]!, block(100));
    await settle();
    expect(feed.status().active).toBe(true);
    expect(feed.remove('heads')).toBe(true);
    expect(feed.remove('logs')).toBe(true);
    expect(feed.remove('logs')).toBe(false);
    expect(feed.status()).toMatchObject({ active: false, head: null, sources: [] });
  });
});
