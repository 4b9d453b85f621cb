// The response cache through Switchyard over a simulated provider (src/simulation/) whose calls are
// counted: immutable answers are served from memory, nothing head-dependent, null or failed is kept,
// identical concurrent calls share one upstream call, and the size bounds hold.
import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { nullObserver, type Observer } from '../../src/routing/observer.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { responseCacheOf } from '../../src/stages/evm/response-cache.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

const HEAD = 1000;
const MINED_DEEP = `0x${'d1'.repeat(32)}`;
const MINED_RECENTLY = `0x${'e2'.repeat(32)}`;
const PENDING = `0x${'f3'.repeat(32)}`;
const BROKEN = '0x00000000000000000000000000000000000000ee';

let open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

function receipt(hash: string, block: number) {
  return { transactionHash: hash, blockNumber: `0x${block.toString(16)}`, status: '0x1', logs: [] };
}

async function setup(cache: Record<string, unknown> = {}, latencyMs = 0, observer?: Observer) {
  const chain = new ChainSim({ chainId: 1, startBlock: HEAD });
  const provider = await startFakeProvider({
    name: 'p',
    chain,
    latencyMs,
    handler: ({ method, params }) => {
      if (method === 'eth_getTransactionReceipt') {
        if (params[0] === MINED_DEEP) return { result: receipt(MINED_DEEP, 10) };
        if (params[0] === MINED_RECENTLY) return { result: receipt(MINED_RECENTLY, HEAD - 2) };
        return { result: null };
      }
      if (method === 'eth_getBalance' && params[0] === BROKEN) {
        return { error: { code: -32603, message: 'internal error' } };
      }
      return undefined;
    },
  });
  open.push(provider);
  // Health checks only at start: the counts below are the clients' calls alone.
  const lb = await startBalancer(
    testConfig([{ name: 'p', url: provider.url }], {
      cache,
      health: { interval: '60s', busyInterval: '60s' },
    }),
    observer ? { observer } : {},
  );
  open.push(lb);
  await waitFor(() => lb.server.runtime.defaultChain.bestHead === HEAD, 5000, 'head');
  provider.stats.reset();
  return { lb, provider, chain };
}

async function call(lb: TestBalancer, method: string, params: unknown[]) {
  const res = await postRaw(lb.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return { text: res.text, upstream: res.headers['x-switchyard-upstream'] };
}

const count = (p: FakeProvider, method: string) => p.stats.byMethod.get(method) ?? 0;

describe('response cache', () => {
  it('answers immutable calls from memory after the first (viem and raw calls)', async () => {
    const lookups: boolean[] = [];
    const { lb, provider, chain } = await setup({}, 0, {
      ...nullObserver,
      cacheLookup: (_c, hit) => lookups.push(hit),
    });
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    const first = await client.getBlock({ blockNumber: 10n });
    for (let i = 0; i < 4; i++) expect(await client.getBlock({ blockNumber: 10n })).toEqual(first);
    expect(count(provider, 'eth_getBlockByNumber')).toBe(1);

    const byHash = [chain.blockHash(HEAD - 1), false];
    const a = await call(lb, 'eth_getBlockByHash', byHash);
    const b = await call(lb, 'eth_getBlockByHash', byHash);
    expect(b).toEqual({ text: a.text, upstream: 'p' }); // by hash: final even near the head; still names p
    expect(count(provider, 'eth_getBlockByHash')).toBe(1);

    for (let i = 0; i < 3; i++) await call(lb, 'eth_chainId', []);
    expect(count(provider, 'eth_chainId')).toBe(1);
    for (let i = 0; i < 3; i++) await call(lb, 'eth_getTransactionReceipt', [MINED_DEEP]);
    expect(count(provider, 'eth_getTransactionReceipt')).toBe(1);

    const stats = responseCacheOf(lb.server.runtime).stats;
    expect(stats).toMatchObject({ hits: 9, misses: 4 });
    expect(lookups.filter((hit) => hit)).toHaveLength(9);
    expect(lookups.filter((hit) => !hit)).toHaveLength(4);
  });

  it('never keeps head-dependent, recent, null or failed answers', async () => {
    const { lb, provider } = await setup();
    const twice = async (method: string, params: unknown[]) => {
      const before = count(provider, method);
      await call(lb, method, params);
      await call(lb, method, params);
      expect(count(provider, method) - before, `${method} ${JSON.stringify(params)}`).toBe(2);
    };
    await twice('eth_getBlockByNumber', ['latest', false]);
    await twice('eth_getBlockByNumber', [`0x${(HEAD - 3).toString(16)}`, false]); // not final yet
    await twice('eth_getBlockByNumber', [`0x${(HEAD + 50).toString(16)}`, false]); // null: not there yet
    await twice('eth_getBlockByHash', [`0x${'77'.repeat(32)}`, false]); // null: unknown hash
    await twice('eth_getBalance', [BROKEN, '0x10']); // an error
    await twice('eth_getTransactionReceipt', [MINED_RECENTLY]); // included, not final
    await twice('eth_getTransactionReceipt', [PENDING]); // null: pending
    await twice('eth_blockNumber', []);
    expect(responseCacheOf(lb.server.runtime).size).toBe(0);
  });

  it('never keeps logs from an upstream that has not reached the range yet (it answers [])', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: HEAD });
    const fresh = await startFakeProvider({
      name: 'fresh',
      chain,
      handler: ({ method }) =>
        method === 'eth_getLogs' ? { error: { code: -32603, message: 'internal error' } } : undefined,
    });
    const behind = await startFakeProvider({
      name: 'behind',
      chain,
      fault: { kind: 'stale_head', frozenAt: 500 },
    });
    open.push(fresh, behind);
    const lb = await startBalancer(
      testConfig(
        [
          { name: 'fresh', url: fresh.url },
          { name: 'behind', url: behind.url },
        ],
        { health: { interval: '60s', busyInterval: '60s' } },
      ),
    );
    open.push(lb);
    const upstreams = lb.server.runtime.defaultChain.upstreams;
    await waitFor(() => upstreams.every((u) => u.head !== undefined), 5000, 'heads');
    const range = [{ fromBlock: '0x258', toBlock: '0x2bc' }]; // blocks 600-700: final, but past `behind`'s head
    for (let i = 0; i < 2; i++)
      expect(JSON.parse((await call(lb, 'eth_getLogs', range)).text)).toMatchObject({ result: [] });
    expect(count(behind, 'eth_getLogs')).toBe(2);
    expect(responseCacheOf(lb.server.runtime).size).toBe(0);
  });

  it('coalesces identical concurrent calls into one upstream call, and only cacheable ones', async () => {
    const { lb, provider } = await setup({}, 40);
    const same = await Promise.all(
      Array.from({ length: 10 }, () => call(lb, 'eth_getBlockByNumber', ['0x20', true])),
    );
    expect(new Set(same.map((r) => r.text)).size).toBe(1);
    expect(count(provider, 'eth_getBlockByNumber')).toBe(1);
    expect(responseCacheOf(lb.server.runtime).stats).toMatchObject({ misses: 1, coalesced: 9 });
    // `latest` answers may differ by the time a call arrives: never shared.
    await Promise.all(
      Array.from({ length: 5 }, () => call(lb, 'eth_getBalance', [BROKEN.replace('ee', 'aa'), 'latest'])),
    );
    expect(count(provider, 'eth_getBalance')).toBe(5);
  });

  it('holds maxEntries and maxBytes', async () => {
    const { lb } = await setup({ maxEntries: 3 });
    for (let n = 1; n <= 6; n++) await call(lb, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    const cache = responseCacheOf(lb.server.runtime);
    expect(cache.size).toBe(3);
    expect(cache.stats.stored).toBe(6);

    const small = await setup({ maxBytes: '4kb' });
    for (let n = 1; n <= 6; n++) await call(small.lb, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    const bounded = responseCacheOf(small.lb.server.runtime);
    expect(bounded.bytes).toBeLessThanOrEqual(4096);
    expect(bounded.size).toBeGreaterThan(0);
    expect(bounded.size).toBeLessThan(6);
  });

  it('is off with cache.enabled: false', async () => {
    const { lb, provider } = await setup({ enabled: false });
    for (let i = 0; i < 3; i++) await call(lb, 'eth_getBlockByNumber', ['0x10', false]);
    expect(count(provider, 'eth_getBlockByNumber')).toBe(3);
  });
});
