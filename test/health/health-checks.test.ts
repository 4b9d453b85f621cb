// Active health checks through real sockets: rise/fall hysteresis, faster checks while down, fewer
// probes while live traffic proves health, wrong chain id and head tracking in /status and /readyz.
import { afterEach, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { getJson, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';
import { sleep, startLoad } from '../helpers/load.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function provider(name: string, chain: ChainSim): Promise<FakeProvider> {
  const p = await startFakeProvider({ name, chain });
  cleanup.push(() => p.close());
  return p;
}

async function balancerFor(
  providers: FakeProvider[],
  health: Record<string, unknown>,
): Promise<TestBalancer> {
  const b = await startBalancer(
    testConfig(
      providers.map((p) => ({ name: p.name, url: p.url })),
      { health },
    ),
  );
  cleanup.push(() => b.close());
  return b;
}

async function upstreamView(b: TestBalancer, name: string) {
  const doc = (await getJson(`${b.url}/status`)).json as {
    chains: { upstreams: { name: string; health: string; head: number | null; wrongChain: boolean }[] }[];
  };
  return doc.chains[0]!.upstreams.find((u) => u.name === name)!;
}

const probes = (p: FakeProvider) =>
  (p.stats.byMethod.get('eth_blockNumber') ?? 0) + (p.stats.byMethod.get('eth_chainId') ?? 0);

describe('health checks', () => {
  it('open the domain of a region that carries no traffic when its members fail their checks', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 10 });
    const [a, b2] = [await provider('idle-a', chain), await provider('idle-b', chain)];
    const b = await startBalancer(
      testConfig(
        [
          { name: a.name, url: a.url, region: 'idle' },
          { name: b2.name, url: b2.url, region: 'idle' },
        ],
        { health: { interval: '60ms', downInterval: '60ms', fall: 2, rise: 2 } },
      ),
    );
    cleanup.push(() => b.close());
    const state = async () => {
      const doc = (await getJson(`${b.url}/status`)).json as {
        chains: { domains: { key: string; state: string; opens: number }[] }[];
      };
      return doc.chains[0]!.domains.find((d) => d.key.startsWith('region:') && d.key.endsWith('/idle'))!;
    };
    expect((await state()).opens).toBe(0);
    // No client call is sent at all: only the checks can tell.
    await a.setFault({ kind: 'http_status', status: 502 });
    await b2.setFault({ kind: 'http_status', status: 502 });
    await sleep(500);
    expect((await state()).opens).toBeGreaterThanOrEqual(1);
  });

  it('marks an upstream down after `fall` failed checks and up again after `rise` good ones', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 10 });
    const flaky = await provider('flaky', chain);
    const steady = await provider('steady', chain);
    const b = await balancerFor([flaky, steady], {
      interval: '60ms',
      downInterval: '60ms',
      fall: 2,
      rise: 2,
    });
    expect((await upstreamView(b, 'flaky')).health).toBe('up');
    await flaky.setFault({ kind: 'http_status', status: 502 });
    await sleep(400);
    expect((await upstreamView(b, 'flaky')).health).toBe('down');
    await flaky.setFault({ kind: 'none' });
    await sleep(400);
    expect((await upstreamView(b, 'flaky')).health).toBe('up');
    const log = b.logs.filter(
      (l) => l.includes('upstream health changed') && l.includes('"upstream":"flaky"'),
    );
    expect(log.map((l) => (JSON.parse(l) as { to: string }).to)).toEqual(['up', 'down', 'up']);
  });

  it('probes less while live traffic proves the upstream healthy', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 10 });
    const idle = await provider('idle', chain);
    const idleB = await balancerFor([idle], { interval: '50ms', busyInterval: '2s' });
    await sleep(600);
    const idleProbes = probes(idle);

    const busy = await provider('busy', chain);
    const busyB = await balancerFor([busy], { interval: '50ms', busyInterval: '2s' });
    const load = startLoad(busyB.url, {
      clients: 2,
      maxMs: 600,
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","latest"]}',
    });
    await load.done;
    const busyProbes = probes(busy);
    expect(idleProbes).toBeGreaterThanOrEqual(8);
    expect(busyProbes).toBeLessThan(idleProbes / 2);
    await idleB.close();
  });

  it('reports a wrong chain id in /status, never routes to it, and is not ready when nothing else is left', async () => {
    const wrong = new ChainSim({ chainId: 10, startBlock: 10 });
    const a = await provider('wrong', wrong);
    const b = await balancerFor([a], { interval: '1m' });
    const view = await upstreamView(b, 'wrong');
    expect(view.wrongChain).toBe(true);
    const ready = await getJson(`${b.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'not ready', notReady: ['ethereum'] });
    const res = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
    });
    const body = (await res.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32050);
    // Only the chain id probe ever reached it: no head probe, no client call.
    expect(a.stats.byMethod.get('eth_blockNumber') ?? 0).toBe(0);
  });

  it('tracks each upstream head', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 10 });
    const p = await provider('p', chain);
    const b = await balancerFor([p], { interval: '50ms' });
    chain.advance(5);
    await sleep(300);
    expect((await upstreamView(b, 'p')).head).toBe(15);
  });
});
