// routing.maxShare under load through real sockets: the fastest cloud (aws) would take everything;
// with caps it takes at most half the calls and each provider at most 40 %, and when only capped
// upstreams are left (the others refuse) the caps yield: no failed read, and metrics and /status say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { getJson, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { fleetUpstreams, parseProm, runLoad, total } from '../helpers/ops.js';

let fleet: Fleet;
let balancer: TestBalancer;

/** aws clearly the fastest (as in the standard fleet, with room for a busy machine's noise). */
const LATENCY_MS: Record<string, number> = { aws: 1, gcp: 8, decentralized: 15 };

interface CapStatus {
  cap: number;
  yields: number;
  shares: Record<string, number>;
}
type Status = { chains: { maxShare: { cloud: CapStatus; provider: CapStatus } }[] };

const callShares = (by: 'cloud' | 'provider') => {
  const calls = new Map<string, number>();
  let sum = 0;
  for (const p of fleet.providers) {
    calls.set(p.spec[by], (calls.get(p.spec[by]) ?? 0) + p.stats.requests);
    sum += p.stats.requests;
  }
  return new Map([...calls].map(([k, n]) => [k, n / sum]));
};

beforeAll(async () => {
  const providers = standardFleet().map((p) => ({ ...p, latencyMs: LATENCY_MS[p.cloud] ?? p.latencyMs }));
  fleet = await startFleet({ providers, blockTimeMs: 1000 });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      cache: { enabled: false },
      routing: { maxShare: { cloud: 0.5, provider: 0.4 } },
      chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
    },
    { operations: true },
  );
});

afterAll(async () => {
  await balancer?.close();
  await fleet?.close();
});

describe('routing.maxShare under load', () => {
  it('holds aws at half the calls and each provider at 40 % while alternatives are healthy', async () => {
    for (const p of fleet.providers) p.stats.reset();
    const load = await runLoad(balancer.url, { clients: 8, maxRequests: 4000, maxMs: 3000 }).done;
    expect(load.failed).toEqual([]);
    expect(load.ok).toBeGreaterThan(500);
    // Calls the providers received (live traffic, plus a few health checks).
    const clouds = callShares('cloud');
    expect(clouds.get('aws')!).toBeLessThanOrEqual(0.53);
    expect(clouds.get('aws')!).toBeGreaterThan(0.35);
    for (const share of callShares('provider').values()) expect(share).toBeLessThanOrEqual(0.43);
    const status = (await getJson(`${balancer.url}/status`)).json as Status;
    const { cloud, provider } = status.chains[0]!.maxShare;
    expect(cloud.cap).toBe(0.5);
    expect(cloud.shares.aws).toBeLessThanOrEqual(0.53);
    expect(provider.cap).toBe(0.4);
    expect(cloud.yields).toBe(0);
  });

  it('yields when only capped upstreams are left: no failed read, counted in /metrics and /status', async () => {
    await fleet.setFault({ cloud: 'gcp' }, { kind: 'refuse' });
    await fleet.setFault({ cloud: 'decentralized' }, { kind: 'refuse' });
    try {
      for (const p of fleet.providers) p.stats.reset();
      const load = await runLoad(balancer.url, { clients: 8, maxRequests: 3000, maxMs: 2500 }).done;
      expect(load.failed).toEqual([]);
      expect(load.ok).toBeGreaterThan(300);
      const status = (await getJson(`${balancer.url}/status`)).json as Status;
      expect(status.chains[0]!.maxShare.cloud.yields).toBeGreaterThan(100);
      // Over its cap: the window still holds the calls of the healthy seconds before.
      expect(status.chains[0]!.maxShare.cloud.shares.aws).toBeGreaterThan(0.55);
      const metrics = parseProm(await (await fetch(`${balancer.url}/metrics`)).text());
      expect(total(metrics, 'switchyard_share_cap_yields_total', { by: 'cloud' })).toBeGreaterThan(100);
      expect(total(metrics, 'switchyard_share_cap_ratio', { by: 'provider' })).toBe(0.4);
      expect(total(metrics, 'switchyard_share_capped_ratio', { by: 'cloud', key: 'aws' })).toBeGreaterThan(
        0.55,
      );
    } finally {
      await fleet.setFault({ cloud: 'gcp' }, { kind: 'none' });
      await fleet.setFault({ cloud: 'decentralized' }, { kind: 'none' });
    }
  });
});
