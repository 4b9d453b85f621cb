// A reload keeps what was learnt about upstreams whose setup did not change (breakers, domain state,
// health, head), starts fresh for changed ones, and closes only what the new config dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { buildConfig } from '../../src/config/config.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { sleep, startLoad } from '../helpers/load.js';
import { fleetUpstreams, SPREAD_ROUTING } from '../helpers/ops.js';

let fleet: Fleet | undefined;
let balancer: TestBalancer | undefined;
afterEach(async () => {
  await balancer?.close();
  await fleet?.close();
});

function config(upstreams: ReturnType<typeof fleetUpstreams>, extra: Record<string, unknown> = {}) {
  return {
    routing: SPREAD_ROUTING,
    ...extra,
    server: { host: '127.0.0.1', port: 0 },
    chains: [{ name: 'ethereum', chainId: 1, upstreams }],
  };
}

describe('reload', () => {
  it('keeps an open region open and unchanged upstreams as they were; a changed one starts fresh', async () => {
    fleet = await startFleet({ providers: standardFleet() });
    const upstreams = fleetUpstreams(fleet);
    balancer = await startBalancer(config(upstreams));
    const b = balancer;
    const load = startLoad(b.url, { clients: 12, maxMs: 10_000 });
    await sleep(300);
    await fleet.setFault({ region: 'us-east-1' }, { kind: 'hang' });
    const before = b.server.runtime.chains.get('ethereum')!;
    // Opens within a few hundred ms on a quiet machine; a loaded CI machine gets longer.
    await waitFor(() => before.domains.get('region:aws/us-east-1')!.opens >= 1, 5000, 'the region to open');
    const keptUpstream = before.upstreams.find((u) => u.name === 'gcp-euw1-a')!;
    const changedBefore = before.upstreams.find((u) => u.name === 'lava-1')!;

    // Same upstreams, one with a changed priority; the region is still hung.
    const next = upstreams.map((u) => (u.name === 'lava-1' ? { ...u, priority: 1 } : u));
    await b.server.reload(buildConfig(config(next), 'test.yaml'));
    const after = b.server.runtime.chains.get('ethereum')!;
    expect(after).not.toBe(before);
    const region = after.domains.get('region:aws/us-east-1')!;
    expect(region).toBe(before.domains.get('region:aws/us-east-1'));
    expect(region.stateAt(Date.now())).not.toBe('closed');
    expect(after.upstreams.find((u) => u.name === 'gcp-euw1-a')).toBe(keptUpstream);
    const changedAfter = after.upstreams.find((u) => u.name === 'lava-1')!;
    expect(changedAfter).not.toBe(changedBefore);
    expect(changedAfter.config.priority).toBe(1);

    await sleep(500);
    await fleet.setFault({ region: 'us-east-1' }, { kind: 'none' });
    await load.stop();
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
  });

  it('drops removed upstreams and their domains', async () => {
    fleet = await startFleet({ providers: standardFleet() });
    const upstreams = fleetUpstreams(fleet);
    balancer = await startBalancer(config(upstreams));
    const b = balancer;
    await b.server.reload(buildConfig(config(upstreams.filter((u) => u.cloud !== 'aws')), 'test.yaml'));
    const chain = b.server.runtime.chains.get('ethereum')!;
    expect(chain.upstreams.map((u) => u.name).sort()).toEqual(['gcp-euw1-a', 'gcp-euw1-b', 'lava-1']);
    expect([...chain.domains.keys()].some((k) => k.includes('aws'))).toBe(false);
    const load = startLoad(b.url, { clients: 4, maxRequests: 200, maxMs: 3000 });
    await load.done;
    expect(load.samples.filter((s) => !s.ok || s.upstream?.startsWith('aws'))).toEqual([]);
  });
});
