// Candidate filtering and pick (src/routing/selection.ts) over a real ChainRuntime with hand-set live state.
// Pure: no request is sent (undici pools connect lazily), time and randomness are passed in.
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { type SelectionRequest, selectUpstream } from '../../src/routing/selection.js';
import type { Upstream } from '../../src/routing/upstream.js';

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
const pickMany = (c: ChainRuntime, req: SelectionRequest, n = 200, nowMs = NOW) => {
  const seen = new Map<string, number>();
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const s = selectUpstream(c, req, nowMs, random);
    if (s) seen.set(s.upstream.name, (seen.get(s.upstream.name) ?? 0) + 1);
  }
  return seen;
};

/** A retry after `name` failed: it and its failure domains are tried. */
const retryAfter = (c: ChainRuntime, name: string, extra: Partial<SelectionRequest> = {}) => {
  const failed = named(c, name);
  return request({ tried: new Set([failed]), triedDomains: new Set(failed.domains), ...extra });
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
    expect([...pickMany(c, retryAfter(c, 'a1')).keys()]).toEqual(['b1']);
  });

  it('prefers another failure domain over a sibling that is known to be at the served head', () => {
    const c = makeChain([
      ['a1', 'east', 'alchemy'],
      ['a2', 'east', 'infura'],
      ['b1', 'west', 'quicknode'],
    ]);
    named(c, 'a2').head = 120; // live traffic keeps the sibling's head fresh ...
    named(c, 'b1').head = 118; // ... the idle region's is as old as its last health check
    expect([...pickMany(c, retryAfter(c, 'a1', { minHead: 120 })).keys()]).toEqual(['b1']);
    // With no other domain left, the head preference still applies among the rest.
    const first = request({ minHead: 120 });
    expect([...pickMany(c, first).keys()]).toEqual(['a2']);
  });

  it('falls back to the same domain when no other domain is left', () => {
    const c = makeChain([
      ['a1', 'east', 'alchemy'],
      ['a2', 'east', 'infura'],
    ]);
    expect([...pickMany(c, retryAfter(c, 'a1')).keys()]).toEqual(['a2']);
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
    for (let i = 0; i < 50; i++) named(c, 'busy').pending.begin(NOW);
    const seen = pickMany(c, request(), 300);
    expect(seen.get('fast')).toBe(300);
  });

  /** Two upstreams in different regions and providers, with these latency estimates. */
  const twoUpstreams = (first: [string, number], second: [string, number]) => {
    const c = makeChain([
      [first[0], 'r1', 'p1'],
      [second[0], 'r2', 'p2'],
    ]);
    named(c, first[0]).latency.reset(first[1], NOW);
    named(c, second[0]).latency.reset(second[1], NOW);
    return c;
  };

  it('sends a twice-as-slow upstream nothing until the faster one carries ~10 attempts, all past 24', () => {
    const c = twoUpstreams(['fast', 6], ['slow', 12]);
    const fast = named(c, 'fast');
    expect(c.settings.routing.inFlightScale).toBe(16);
    // cost(fast) = 6 × (1 + n / 16); slow shares once 12 is within 25 % of it (n >= 10), and takes
    // everything once cost(fast) is more than 25 % above 12 (n > 24).
    for (let i = 0; i < 9; i++) fast.pending.begin(NOW);
    expect([...pickMany(c, request(), 50).keys()]).toEqual(['fast']);
    fast.pending.begin(NOW);
    expect([...pickMany(c, request(), 50).keys()].sort()).toEqual(['fast', 'slow']);
    for (let i = 0; i < 15; i++) fast.pending.begin(NOW);
    expect([...pickMany(c, request(), 50).keys()]).toEqual(['slow']);
  });

  it('avoids an upstream whose oldest attempt in flight has waited longer than another takes', () => {
    const c = twoUpstreams(['hung', 2], ['other', 6]);
    const hung = named(c, 'hung');
    const attempt = hung.pending.begin(NOW);
    // 3 ms later its one attempt counts as 3 ms: still well under 6.
    expect([...pickMany(c, request(), 20).keys()]).toEqual(['hung']);
    expect(selectUpstream(c, request(), NOW + 3, Math.random)?.upstream.name).toBe('hung');
    // 10 ms later it has waited 8 ms beyond its estimate: the other upstream is cheaper, before any
    // answer or timeout.
    expect(selectUpstream(c, request(), NOW + 10, Math.random)?.upstream.name).toBe('other');
    hung.pending.end(attempt);
    expect(selectUpstream(c, request(), NOW + 10, Math.random)?.upstream.name).toBe('hung');
  });

  it('does not take the ordinary jitter of a busy upstream for a stall', () => {
    const c = twoUpstreams(['busy', 7], ['slower', 13]);
    const busy = named(c, 'busy');
    for (let i = 0; i < 4; i++) busy.pending.begin(NOW + i * 3);
    // Its oldest attempt has waited 12 ms, well within twice its estimate: it still costs less.
    expect([...pickMany(c, request(), 20, NOW + 12).keys()]).toEqual(['busy']);
  });

  it('sends no client call into a half-open domain while a closed one can take it', () => {
    const c = makeChain([
      ['a1', 'r1', 'p1'],
      ['a2', 'r1', 'p2'],
      ['b', 'r2', 'p3'],
    ]);
    for (const n of ['a1', 'a2']) named(c, n).latency.reset(2, NOW);
    named(c, 'b').latency.reset(50, NOW);
    const region = c.domains.get('region:aws/r1')!;
    for (const n of ['a1', 'a2']) {
      region.record(n, true, NOW);
      region.record(n, true, NOW);
    }
    const later = NOW + 1000; // past the longest jittered back-off
    expect(region.stateAt(later)).toBe('half_open');
    const picks = new Set<string>();
    for (let i = 0; i < 50; i++) picks.add(selectUpstream(c, request(), later, Math.random)!.upstream.name);
    expect([...picks]).toEqual(['b']);
    // Nothing closed is left: the call is the half-open domain's probe, and only one is admitted.
    named(c, 'b').health = 'down';
    const probe = selectUpstream(c, request(), later, Math.random);
    expect(probe?.panic).toBe(false);
    expect(['a1', 'a2']).toContain(probe?.upstream.name);
    region.onSend(later);
    expect(selectUpstream(c, request(), later, Math.random)?.panic).toBe(true);
  });

  it('passes a failing upstream over for its sibling, and forgets the failure within seconds', () => {
    const c = makeChain([
      ['a1', 'east', 'p1'],
      ['a2', 'east', 'p2'],
      ['w', 'west', 'p3'],
    ]);
    const a1 = named(c, 'a1');
    a1.latency.reset(2, NOW);
    named(c, 'a2').latency.reset(3, NOW); // outside the near-tie band: a1 takes everything
    named(c, 'w').latency.reset(6, NOW);
    expect([...pickMany(c, request(), 50).keys()]).toEqual(['a1']);
    // A 5xx comes back as fast as a result: latency alone would keep a1 first.
    a1.failures.record(NOW);
    expect([...pickMany(c, request(), 50).keys()]).toEqual(['a2']);
    const later = NOW + 5000;
    expect(selectUpstream(c, request(), later, Math.random)?.upstream.name).toBe('a1');
  });

  it('ramps a throttled upstream back in over the slow start once its Retry-After has passed', () => {
    const c = makeChain([
      ['fast', 'r1', 'p1'],
      ['other', 'r2', 'p2'],
    ]);
    const fast = named(c, 'fast');
    fast.latency.reset(2, NOW);
    named(c, 'other').latency.reset(6, NOW);
    fast.throttle(NOW + 1000);
    // Picks as the call loop makes them: each one counts for the chain and the ramping upstream.
    const picks = (t: number, n: number) => {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const u = selectUpstream(c, request(), t, Math.random)!.upstream;
        c.picks++;
        u.ramp.recordPick();
        names.push(u.name);
      }
      return names;
    };
    expect(picks(NOW + 500, 5)).toEqual(['other', 'other', 'other', 'other', 'other']); // backing off
    // 5 % into the 1 s ramp: one pick at once, then 10 % of the chain's picks.
    const early = picks(NOW + 1050, 100);
    expect(early[0]).toBe('fast');
    expect(early.filter((n) => n === 'fast')).toHaveLength(10);
    // 90 % into it: 90 % of the picks since the ramp began, so it takes all of these until it is there.
    expect(picks(NOW + 1900, 20).every((n) => n === 'fast')).toBe(true);
    expect(picks(NOW + 2500, 20).every((n) => n === 'fast')).toBe(true);
  });

  it('gives an upstream just back the next read even where it costs more, then only its share', () => {
    const c = makeChain([
      ['back', 'r1', 'p1'],
      ['steady', 'r2', 'p2'],
    ]);
    const back = named(c, 'back');
    // Its estimate is stale from the outage: three times the steady one's.
    back.latency.reset(6, NOW);
    named(c, 'steady').latency.reset(2, NOW);
    expect([...pickMany(c, request(), 20).keys()]).toEqual(['steady']);
    back.markRecovered(NOW);
    const first = selectUpstream(c, request(), NOW + 10, Math.random)!.upstream;
    expect(first.name).toBe('back');
    c.picks++;
    first.ramp.recordPick();
    // Picked once: now it competes on cost within its share, and loses to the cheaper one.
    expect([...pickMany(c, request(), 20, NOW + 20).keys()]).toEqual(['steady']);
  });

  it('does not give an upstream just back a read it cannot serve (behind the head asked for)', () => {
    const c = makeChain([
      ['back', 'r1', 'p1'],
      ['steady', 'r2', 'p2'],
    ]);
    named(c, 'back').head = 98;
    named(c, 'back').markRecovered(NOW);
    expect(selectUpstream(c, request({ minHead: 100 }), NOW + 10, Math.random)?.upstream.name).toBe('steady');
    expect(selectUpstream(c, request(), NOW + 10, Math.random)?.upstream.name).toBe('back');
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
