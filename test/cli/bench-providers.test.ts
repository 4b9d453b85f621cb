// `switchyard bench providers` against a fleet with known faults: the ranking must see the wrong
// chain, the 429s, the stale head and the dead upstream, and rank the healthy ones first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { benchProviders, type ChainScores, formatProviderTable } from '../../src/cli/rank-providers.js';
import { buildConfig } from '../../src/config/config.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';

let fleet: Fleet;
let scores: ChainScores[];

beforeAll(async () => {
  fleet = await startFleet({ chainId: 1, providers: standardFleet() });
  await fleet.setFault('gcp-euw1-a', { kind: 'wrong_chain', chainId: 5 });
  await fleet.setFault('aws-use1-b', { kind: 'throttle', retryAfterSec: 1 });
  await fleet.setFault('lava-1', { kind: 'stale_head' });
  // 2 ms against 6 ms can swap places over 12 samples on a machine busy with parallel test files.
  await fleet.setFault('gcp-euw1-b', { kind: 'slow', extraMs: 30 });
  fleet.chain.advance(10);
  const config = buildConfig(parse(fleet.upstreamsYaml()), 'fleet.yaml');
  scores = await benchProviders(config, { requests: 12, seconds: 3 });
});

afterAll(async () => {
  await fleet.close();
});

describe('bench providers', () => {
  it('measures every upstream within the request budget', () => {
    expect(scores).toHaveLength(1);
    const chain = scores[0]!;
    expect(chain.bestHead).toBe(fleet.chain.head);
    expect(chain.upstreams.map((u) => u.name).sort()).toEqual(
      standardFleet()
        .map((p) => p.name)
        .sort(),
    );
    for (const u of chain.upstreams) expect(u.sent).toBeLessThanOrEqual(12);
  });

  it('sees each fault for what it is', () => {
    const by = new Map(scores[0]!.upstreams.map((u) => [u.name, u]));
    expect(by.get('gcp-euw1-a')).toMatchObject({
      verdict: 'wrong chain',
      reportedChainId: 5,
      chainIdOk: false,
    });
    expect(by.get('aws-use1-b')).toMatchObject({ verdict: 'throttled', ok: 0 });
    expect(by.get('aws-use1-b')!.throttled).toBe(by.get('aws-use1-b')!.sent);
    expect(by.get('lava-1')).toMatchObject({ verdict: 'lagging', lag: 10 });
    expect(by.get('aws-use1-a')).toMatchObject({ verdict: 'ok', lag: 0, chainIdOk: true, errors: 0 });
    expect(by.get('aws-use1-a')!.p50Ms).toBeGreaterThan(0);
  });

  it('ranks the usable upstreams first, fastest first', () => {
    const ranked = scores[0]!.upstreams;
    expect(ranked.map((u) => u.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(ranked[0]!.name).toBe('aws-use1-a');
    expect(ranked[1]!.name).toBe('gcp-euw1-b');
    expect(ranked[ranked.length - 1]!.verdict).toBe('wrong chain');
  });

  it('prints a table grouped by failure domain without URLs', () => {
    const table = formatProviderTable(scores, { requests: 12, seconds: 3 });
    expect(table).toContain('region aws/us-east-1 — 1/2 usable');
    expect(table).toContain('region gcp/europe-west1 — 1/2 usable');
    expect(table).toMatch(/aws-use1-b .* throttled/);
    expect(table).not.toContain('127.0.0.1');
  });

  it('gives up early on an unreachable upstream', async () => {
    const config = buildConfig(
      { chains: [{ name: 'eth', chainId: 1, upstreams: [{ name: 'dead', url: 'http://127.0.0.1:1/' }] }] },
      'dead.yaml',
    );
    const t0 = performance.now();
    const [chain] = await benchProviders(config, { requests: 50, seconds: 5 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(chain!.upstreams[0]).toMatchObject({ verdict: 'unreachable', ok: 0 });
    expect(chain!.upstreams[0]!.sent).toBeLessThanOrEqual(5);
  });
});
