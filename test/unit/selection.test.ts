// Candidate filtering and pick (src/selection.ts) over a real ChainRuntime with hand-set live state.
// Pure: no request is sent (undici pools connect lazily), time and randomness are passed in.
import { afterEach, describe, expect, it } from 'vitest';
import { ChainRuntime } from '../../src/chain.js';
import { buildConfig } from '../../src/config.js';
import { type SelectionRequest, selectUpstream } from '../../src/selection.js';
import type { Upstream } from '../../src/upstream.js';

const NOW = 1_000_000;
let chain: ChainRuntime;

function makeChain(labels: [string, string, string, number?][]): ChainRuntime {
  const config = buildConfig(
    {
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: labels.map(([name, region, provider, priority]) => ({
            name,
            url: 'http://127.0.0.1:9/',
            cloud: 'aws',
            region,
            provider,
            priority: priority ?? 0,
          })),
        },
      ],
    },
    't.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, NOW);
  for (const u of chain.upstreams) {
    u.reportedChainId = 1;
    u.head = 100;
  }
  return chain;
}

afterEach(async () => {
  await chain?.close();
});

function request(over: Partial<SelectionRequest> = {}): SelectionRequest {
  return {
    method: 'eth_call',
    latestRead: true,
    needsArchive: false,
    tried: new Set(),
    triedDomains: new Set(),
    ...over,
  };
}

const named = (c: ChainRuntime, name: string) => c.upstreams.find((u) => u.name === name)!;
const pickMany = (c: ChainRuntime, req: SelectionRequest, n = 200) => {
  const seen = new Map<string, number>();
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const s = selectUpstream(c, req, NOW, random);
    if (s) seen.set(s.upstream.name, (seen.get(s.upstream.name) ?? 0) + 1);
  }
  return seen;
};

describe('selectUpstream', () => {
  it('never picks an upstream on the wrong chain, nor one still unverified once others are verified', () => {
    const c = makeChain([
      ['a', 'r1', 'p1'],
      ['b', 'r2', 'p2'],
      ['c', 'r3', 'p3'],
    ]);
    named(c, 'a').wrongChain = true;
    named(c, 'b').reportedChainId = undefined;
    expect([...pickMany(c, request()).keys()]).toEqual(['c']);
  });

  it('skips tried upstreams, and prefers a failure domain not tried yet', () => {
    const c = makeChain([
      ['a1', 'east', 'alchemy'],
      ['a2', 'east', 'infura'],
      ['b1', 'west', 'quicknode'],
    ]);
    const a1 = named(c, 'a1');
    const seen = pickMany(c, request({ tried: new Set([a1]), triedDomains: new Set(a1.domains) }));
    expect([...seen.keys()]).toEqual(['b1']);
  });

  it('falls back to the same domain when no other domain is left', () => {
    const c = makeChain([
      ['a1', 'east', 'alchemy'],
      ['a2', 'east', 'infura'],
    ]);
    const a1 = named(c, 'a1');
    const seen = pickMany(c, request({ tried: new Set([a1]), triedDomains: new Set(a1.domains) }));
    expect([...seen.keys()]).toEqual(['a2']);
  });

  it('keeps lagging upstreams out of latest reads only', () => {
    const c = makeChain([
      ['fresh', 'r1', 'p1'],
      ['behind', 'r2', 'p2'],
    ]);
    named(c, 'behind').head = 90; // 10 blocks behind, limit 5
    expect([...pickMany(c, request({ latestRead: true })).keys()]).toEqual(['fresh']);
    expect(pickMany(c, request({ latestRead: false })).get('behind')).toBeGreaterThan(0);
  });

  it('leaves throttled, down and open-domain upstreams out, and uses everything in panic', () => {
    const c = makeChain([
      ['t', 'r1', 'p1'],
      ['d', 'r2', 'p2'],
      ['o', 'r3', 'p3'],
      ['o2', 'r3', 'p5'],
      ['ok', 'r4', 'p4'],
    ]);
    named(c, 't').throttledUntilMs = NOW + 1000;
    named(c, 'd').health = 'down';
    const domain = c.domains.get('region:aws/r3')!;
    for (const m of ['o', 'o', 'o2', 'o2']) domain.record(m, true, NOW);
    expect(domain.stateAt(NOW)).toBe('open');
    expect([...pickMany(c, request()).keys()]).toEqual(['ok']);
    named(c, 'ok').health = 'down';
    const panic = selectUpstream(c, request(), NOW, () => 0.5);
    expect(panic?.panic).toBe(true);
  });

  it('uses a higher priority tier only while the preferred tier has nothing usable', () => {
    const c = makeChain([
      ['primary', 'r1', 'p1', 0],
      ['backup', 'r2', 'p2', 1],
    ]);
    expect([...pickMany(c, request()).keys()]).toEqual(['primary']);
    named(c, 'primary').health = 'down';
    expect([...pickMany(c, request()).keys()]).toEqual(['backup']);
  });

  it('sends most traffic to the cheaper upstream (latency × in-flight)', () => {
    const c = makeChain([
      ['fast', 'r1', 'p1'],
      ['slow', 'r2', 'p2'],
      ['busy', 'r3', 'p3'],
    ]);
    named(c, 'fast').latency.reset(2, NOW);
    named(c, 'slow').latency.reset(300, NOW);
    named(c, 'busy').latency.reset(2, NOW);
    named(c, 'busy').inFlight = 50;
    const seen = pickMany(c, request(), 300);
    expect(seen.get('fast')).toBeGreaterThan(150);
    expect(seen.get('slow') ?? 0).toBe(0); // P2C never picks the worst of three
  });

  it('respects restrictTo', () => {
    const c = makeChain([
      ['a', 'r1', 'p1'],
      ['b', 'r2', 'p2'],
    ]);
    const only = new Set<Upstream>([named(c, 'b')]);
    const s = selectUpstream(c, request(), NOW, Math.random, only);
    expect(s?.upstream.name).toBe('b');
  });

  it('excludes known non-archive upstreams from reads that need archive state', () => {
    const c = makeChain([
      ['full', 'r1', 'p1'],
      ['archive', 'r2', 'p2'],
    ]);
    named(c, 'full').archive = false;
    expect([...pickMany(c, request({ needsArchive: true })).keys()]).toEqual(['archive']);
  });
});
