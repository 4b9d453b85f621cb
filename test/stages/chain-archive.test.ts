// Archive routing through Switchyard over simulated providers: `pruned` (preferred) keeps only recent
// state and answers old-state reads with geth's "missing trie node"; `archive` has everything. Old-state
// reads go to configured archive upstreams first, or learn which upstream is pruned from its errors.
import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import {
  ChainSim,
  type FakeProvider,
  type RpcHandler,
  startFakeProvider,
} from '../../src/simulation/index.js';
import {
  postRaw,
  startBalancer,
  type TestBalancer,
  testConfig,
  type UpstreamSpec,
} from '../helpers/balancer.js';

const HEAD = 1000;
const ADDRESS = '0x00000000000000000000000000000000000000aa';
const MISSING_TRIE_NODE =
  'missing trie node 9d1b6a7f0d16bdb40f77a1df4c8fe4ecc1fd4aa1e2b70bd2c3e3cee0c8f9f0d1 (path )';

let open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

/** Keeps the state of the last 128 blocks, like geth's default full node; `atHead` errors at the head. */
function prunedNode(chain: ChainSim, atHead?: string): RpcHandler {
  return ({ method, params }) => {
    if (method !== 'eth_getBalance' || typeof params[1] !== 'string' || !params[1].startsWith('0x'))
      return undefined;
    const n = Number.parseInt(params[1], 16);
    if (n < chain.head - 128) return { error: { code: -32000, message: MISSING_TRIE_NODE } };
    if (atHead && n === chain.head) return { error: { code: -32000, message: atHead } };
    return undefined;
  };
}

async function setup(archiveConfigured: boolean, atHead?: string) {
  const chain = new ChainSim({ chainId: 1, startBlock: HEAD });
  const pruned = await startFakeProvider({ name: 'pruned', chain, handler: prunedNode(chain, atHead) });
  const archive = await startFakeProvider({ name: 'archive', chain });
  open.push(pruned, archive);
  const upstreams: UpstreamSpec[] = [
    { name: 'pruned', url: pruned.url, priority: 0 },
    {
      name: 'archive',
      url: archive.url,
      priority: 1,
      ...(archiveConfigured ? { archive: true } : {}),
    } as UpstreamSpec,
  ];
  const lb = await startBalancer(testConfig(upstreams));
  open.push(lb);
  const runtimeChain = lb.server.runtime.defaultChain;
  await waitFor(() => runtimeChain.upstreams.every((u) => u.head === HEAD), 5000, 'heads');
  return {
    lb,
    pruned,
    archive,
    upstream: (name: string) => runtimeChain.upstreams.find((u) => u.name === name)!,
  };
}

async function balance(lb: TestBalancer, block: string) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [ADDRESS, block] });
  const res = await postRaw(lb.url, body);
  return {
    ...(JSON.parse(res.text) as { result?: string; error?: unknown }),
    upstream: res.headers['x-switchyard-upstream'],
  };
}

const balances = (p: FakeProvider) => p.stats.byMethod.get('eth_getBalance') ?? 0;

describe('archive routing', () => {
  it('sends old-state reads straight to an upstream configured `archive: true` (viem)', async () => {
    const { lb, pruned, archive } = await setup(true);
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    expect(await client.getBalance({ address: ADDRESS, blockNumber: 10n })).toBeGreaterThan(0n);
    expect(await client.getBalance({ address: ADDRESS, blockNumber: 500n })).toBeGreaterThan(0n);
    expect(balances(pruned)).toBe(0);
    expect(balances(archive)).toBe(2);
    // Recent state is anybody's: the preferred (pruned) upstream keeps serving it.
    expect(await balance(lb, `0x${(HEAD - 5).toString(16)}`)).toMatchObject({ upstream: 'pruned' });
    expect(await balance(lb, 'latest')).toMatchObject({ upstream: 'pruned' });
  });

  it('learns from "missing trie node" that an upstream is not archive, and stops asking it', async () => {
    const { lb, pruned, archive, upstream } = await setup(false);
    expect(upstream('pruned').archive).toBeUndefined();
    const first = await balance(lb, '0xa');
    expect(first).toMatchObject({ upstream: 'archive' });
    expect(first.result).toMatch(/^0x[0-9a-f]+$/);
    expect(balances(pruned)).toBe(1); // asked once, answered "missing trie node", retried elsewhere
    expect(upstream('pruned').archive).toBe(false);
    for (const block of ['0xb', '0x64', '0x1f4'])
      expect(await balance(lb, block)).toMatchObject({ upstream: 'archive' });
    expect(balances(pruned)).toBe(1);
    expect(balances(archive)).toBe(4);
    expect(await balance(lb, 'latest')).toMatchObject({ upstream: 'pruned' });
  });

  it('does not mark an upstream pruned for "header not found" at the head (it is lagging, not pruned)', async () => {
    const { lb, upstream } = await setup(false, 'header not found');
    expect(await balance(lb, `0x${HEAD.toString(16)}`)).toMatchObject({ upstream: 'archive' });
    expect(upstream('pruned').archive).toBeUndefined();
  });
});
