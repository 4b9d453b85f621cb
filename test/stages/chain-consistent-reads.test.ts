// Consistent reads through Switchyard over simulated providers on one chain (src/simulation/), one of them
// lagging: eth_blockNumber never goes backwards (across a failover too), `latest` reads are served at
// or above the head already handed out, and a block the client has seen never comes back as null.
import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import {
  ChainSim,
  type FakeProvider,
  type RpcHandler,
  startFakeProvider,
} from '../../src/simulation/index.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

const FAST_HEALTH = { health: { interval: '50ms', busyInterval: '50ms', downInterval: '50ms' } };
const ADDRESS = '0x00000000000000000000000000000000000000aa';

let open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function provider(name: string, chain: ChainSim, handler?: RpcHandler): Promise<FakeProvider> {
  const p = await startFakeProvider({ name, chain, ...(handler ? { handler } : {}) });
  open.push(p);
  return p;
}

async function balancer(upstreams: { name: string; url: string; priority: number }[]): Promise<TestBalancer> {
  const lb = await startBalancer(testConfig(upstreams, FAST_HEALTH));
  open.push(lb);
  return lb;
}

/** Waits until the health checker knows each named upstream's head. */
async function heads(lb: TestBalancer, expected: Record<string, number>): Promise<void> {
  const chain = lb.server.runtime.defaultChain;
  await waitFor(
    () => chain.upstreams.every((u) => expected[u.name] === undefined || u.head === expected[u.name]),
    5000,
    `heads ${JSON.stringify(expected)}`,
  );
}

async function call(lb: TestBalancer, method: string, params: unknown[]) {
  const res = await postRaw(lb.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const body = JSON.parse(res.text) as { result?: unknown; error?: unknown };
  return { ...body, upstream: res.headers['x-switchyard-upstream'] };
}

describe('consistent reads', () => {
  it('never lets eth_blockNumber go backwards, across a failover to a lagging upstream (viem)', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 100 });
    const fresh = await provider('fresh', chain);
    const stale = await provider('stale', chain);
    await stale.setFault({ kind: 'stale_head' }); // frozen at 100, within the default 5-block lag
    chain.advance(3);
    const lb = await balancer([
      { name: 'fresh', url: fresh.url, priority: 0 },
      { name: 'stale', url: stale.url, priority: 1 },
    ]);
    await heads(lb, { fresh: 103, stale: 100 });
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(103n);

    await fresh.setFault({ kind: 'http_status', status: 503 }); // the fresh upstream fails over
    for (let i = 0; i < 5; i++) expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(103n);
    const raw = await call(lb, 'eth_blockNumber', []);
    expect(raw).toMatchObject({ result: '0x67', upstream: 'stale' }); // answered by the laggard, held at 103
  });

  it('serves `latest` reads from an upstream at the head already handed out, not the preferred laggard', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 100 });
    const stale = await provider('stale', chain);
    const fresh = await provider('fresh', chain);
    await stale.setFault({ kind: 'stale_head' });
    chain.advance(3);
    const lb = await balancer([
      { name: 'stale', url: stale.url, priority: 0 }, // preferred, 3 blocks behind (within maxBlockLag)
      { name: 'fresh', url: fresh.url, priority: 1 },
    ]);
    await heads(lb, { fresh: 103, stale: 100 });
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    // The client sees block 103 (say, from a receipt); from now on `latest` is at least 103.
    expect((await client.getBlock({ blockNumber: 103n })).number).toBe(103n);
    for (let i = 0; i < 5; i++) {
      expect((await client.getBlock({ blockTag: 'latest' })).number).toBe(103n);
    }
    expect(await call(lb, 'eth_getBalance', [ADDRESS, 'latest'])).toMatchObject({ upstream: 'fresh' });
    expect(await call(lb, 'eth_call', [{ to: ADDRESS, data: '0x' }])).toMatchObject({ upstream: 'fresh' });
    // Reads of old blocks and eth_blockNumber still use the preferred upstream (the number is held).
    expect(await call(lb, 'eth_getBlockByNumber', ['0x60', false])).toMatchObject({ upstream: 'stale' });
    expect(await call(lb, 'eth_blockNumber', [])).toMatchObject({ result: '0x67', upstream: 'stale' });
  });

  it('never answers null for a block the client has seen: the lagging node is passed over (viem)', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 100 });
    // A provider whose load balancer mixes nodes: its head says 103, yet blocks above 100 come back null.
    const mixed = await provider('mixed', chain, ({ method, params }) => {
      if (method === 'eth_getBlockByNumber' && typeof params[0] === 'string' && params[0].startsWith('0x')) {
        return Number.parseInt(params[0], 16) > 100 ? { result: null } : undefined;
      }
      if (method === 'eth_getBlockByHash' && typeof params[0] === 'string') {
        return (chain.blockNumberOf(params[0]) ?? 0) > 100 ? { result: null } : undefined;
      }
      return undefined;
    });
    const fresh = await provider('fresh', chain);
    chain.advance(3);
    const lb = await balancer([
      { name: 'mixed', url: mixed.url, priority: 0 },
      { name: 'fresh', url: fresh.url, priority: 1 },
    ]);
    await heads(lb, { fresh: 103, mixed: 103 });
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(103n);

    const block = await client.getBlock({ blockNumber: 102n });
    expect(block.number).toBe(102n);
    expect((await client.getBlock({ blockHash: chain.blockHash(101) as `0x${string}` })).number).toBe(101n);
    expect(mixed.stats.byMethod.get('eth_getBlockByNumber')).toBeGreaterThan(0); // it was asked, and passed over
    // A block nobody has shown the client yet may still be "not there yet".
    expect(await call(lb, 'eth_getBlockByNumber', ['0x70', false])).toMatchObject({ result: null });
  });
});
