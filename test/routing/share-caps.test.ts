// Diversity caps (routing.maxShare, src/routing/share-caps.ts) in virtual time: the sliding window, the cap
// held while alternatives exist, the yield (and its count) when none does, priority tiers, config errors.
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { selectUpstream } from '../../src/routing/selection.js';
import { CAP_WINDOW_SECONDS, CAP_YIELD_BIT, GroupWindow } from '../../src/routing/share-caps.js';

const T0 = 1_000_000;
let chain: ChainRuntime | undefined;

afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** The standard fleet's labels; aws the fastest by far, so without caps it takes every call. */
const FLEET = [
  { name: 'aws-a', cloud: 'aws', region: 'us-east-1', provider: 'alchemy', ms: 2 },
  { name: 'aws-b', cloud: 'aws', region: 'us-east-1', provider: 'infura', ms: 2 },
  { name: 'gcp-a', cloud: 'gcp', region: 'europe-west1', provider: 'quicknode', ms: 6 },
  { name: 'gcp-b', cloud: 'gcp', region: 'europe-west1', provider: 'ankr', ms: 6 },
  { name: 'lava', cloud: 'decentralized', region: 'global', provider: 'lava', ms: 12 },
];

function makeChain(maxShare: Record<string, number> | undefined, priorities: Record<string, number> = {}) {
  const config = buildConfig(
    {
      routing: maxShare ? { maxShare } : {},
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: FLEET.map(({ ms: _ms, ...u }) => ({
            ...u,
            url: 'http://127.0.0.1:9/',
            priority: priorities[u.name] ?? 0,
          })),
        },
      ],
    },
    't.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, T0);
  for (const u of chain.upstreams) {
    u.reportedChainId = 1;
    u.head = 100;
    u.latency.observe(FLEET.find((f) => f.name === u.name)!.ms, T0);
  }
  return chain;
}

const request = () => ({
  method: 'eth_blockNumber',
  latestRead: false,
  needsArchive: false,
  tried: new Set<never>(),
  triedDomains: new Set<string>(),
});

/** `n` picks spread evenly over `spanMs` of virtual time, each recorded as the dispatcher does. */
function drive(c: ChainRuntime, n: number, spanMs: number, startMs = T0) {
  const byCloud = new Map<string, number>();
  const byProvider = new Map<string, number>();
  let yields = 0;
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const nowMs = startMs + (i * spanMs) / n;
    const s = selectUpstream(c, request(), nowMs, random)!;
    c.shareCaps?.record(s.upstream, nowMs);
    if (s.capYields) yields++;
    byCloud.set(s.upstream.config.cloud, (byCloud.get(s.upstream.config.cloud) ?? 0) + 1 / n);
    byProvider.set(s.upstream.config.provider, (byProvider.get(s.upstream.config.provider) ?? 0) + 1 / n);
  }
  return { byCloud, byProvider, yields, endMs: startMs + spanMs };
}

describe('GroupWindow', () => {
  it('counts attempts per group over the last 10 one-second buckets', () => {
    const w = new GroupWindow(2);
    w.add(0, T0);
    w.add(1, T0 + 500);
    w.add(1, T0 + 4000);
    expect([w.totals[0], w.totals[1], w.total]).toEqual([1, 2, 3]);
    // The first second's bucket leaves the window 10 s later; the rest stay.
    w.advance(T0 + CAP_WINDOW_SECONDS * 1000);
    expect([w.totals[0], w.totals[1], w.total]).toEqual([0, 1, 1]);
    // A gap longer than the window empties it.
    w.advance(T0 + 60_000);
    expect(w.total).toBe(0);
    w.add(0, T0 + 60_000);
    expect(w.totals[0]).toBe(1);
  });
});

describe('routing.maxShare', () => {
  it('without caps the fastest cloud takes everything', () => {
    const { byCloud } = drive(makeChain(undefined), 2000, 20_000);
    expect(byCloud.get('aws')).toBeGreaterThan(0.95);
  });

  it('holds each cloud and provider at or under its cap while healthy alternatives exist', () => {
    const c = makeChain({ cloud: 0.5, provider: 0.4 });
    const { byCloud, byProvider, yields, endMs } = drive(c, 3000, 30_000);
    expect(yields).toBe(0);
    // A cap is checked before each attempt, so a share can pass it by at most the attempt itself.
    for (const share of byCloud.values()) expect(share).toBeLessThanOrEqual(0.5 + 0.01);
    for (const share of byProvider.values()) expect(share).toBeLessThanOrEqual(0.4 + 0.01);
    // aws stays the preferred cloud: it takes all its cap allows.
    expect(byCloud.get('aws')).toBeGreaterThan(0.45);
    const status = c.shareCaps!.statusAt(endMs);
    expect(status.cloud!.cap).toBe(0.5);
    expect(status.cloud!.shares.aws).toBeLessThanOrEqual(0.51);
    expect(status.provider!.cap).toBe(0.4);
    expect(Object.keys(status.provider!.shares).sort()).toEqual([
      'alchemy',
      'ankr',
      'infura',
      'lava',
      'quicknode',
    ]);
  });

  it('yields in an outage: with only capped candidates left every call still gets an upstream, and it is counted', () => {
    const c = makeChain({ cloud: 0.5 });
    drive(c, 500, 5000);
    // gcp and lava go down: aws is all that is healthy, and already at its cap.
    for (const u of c.upstreams) if (u.config.cloud !== 'aws') u.health = 'down';
    const after = drive(c, 200, 2000, T0 + 5000);
    expect(after.byCloud.get('aws')).toBeCloseTo(1, 5);
    expect(after.yields).toBeGreaterThan(150);
    expect(c.shareCaps!.statusAt(after.endMs).cloud!.yields).toBe(after.yields);
    const s = selectUpstream(c, request(), after.endMs, () => 0.5)!;
    expect(s.upstream.config.cloud).toBe('aws');
    expect(s.panic).toBe(false);
    expect(s.capYields).toBe(CAP_YIELD_BIT.cloud);
  });

  it('applies again once the outage ends, and old attempts leave the window', () => {
    const c = makeChain({ cloud: 0.5 });
    for (const u of c.upstreams) if (u.config.cloud !== 'aws') u.health = 'down';
    const outage = drive(c, 500, 5000);
    expect(outage.byCloud.get('aws')).toBeCloseTo(1, 5);
    for (const u of c.upstreams) u.health = 'up';
    const healed = drive(c, 2000, 20_000, outage.endMs);
    expect(healed.yields).toBe(0);
    // Seen as of the last pick (a bucket leaving the window can lift a share until the next pick).
    expect(c.shareCaps!.statusAt(healed.endMs - 1).cloud!.shares.aws).toBeLessThanOrEqual(0.51);
  });

  it('never moves traffic into a backup priority tier: there the cap yields', () => {
    const c = makeChain({ cloud: 0.5 }, { 'gcp-a': 1, 'gcp-b': 1, lava: 1 });
    const { byCloud, yields } = drive(c, 1000, 10_000);
    expect(byCloud.get('aws')).toBeCloseTo(1, 5);
    expect(yields).toBeGreaterThan(400);
  });

  it('config errors name the file and the key', () => {
    const raw = (maxShare: unknown) => ({
      routing: { maxShare },
      chains: [{ name: 'e', chainId: 1, upstreams: [{ name: 'a', url: 'http://127.0.0.1:9/' }] }],
    });
    expect(() => buildConfig(raw({ cloud: 0 }), 'cfg.yaml')).toThrow(
      'cfg.yaml: routing.maxShare.cloud: expected a fraction above 0 and at most 1, e.g. 0.5',
    );
    expect(() => buildConfig(raw({ provider: 1.5 }), 'cfg.yaml')).toThrow(
      'cfg.yaml: routing.maxShare.provider:',
    );
    expect(() => buildConfig(raw({ region: 0.5 }), 'cfg.yaml')).toThrow(
      'cfg.yaml: routing.maxShare.region: unknown key (allowed: cloud, provider)',
    );
    expect(buildConfig(raw({ provider: '0.4' }), 'cfg.yaml').routing.maxShare).toEqual({
      cloud: undefined,
      provider: 0.4,
    });
  });
});
