// Sticky filters through Switchyard over two real nodes (two anvils: filters are node-local state).
// `one` is reached directly; `two` is behind a front that rate-limits filter creation once, so filters
// land on `one` while `two` stays the preferred upstream for everything else.
import { createPublicClient, http, type Log } from 'viem';
import { foundry } from 'viem/chains';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { type Front, startFront, waitFor } from '../../bench/anvil/chain-front.js';
import { filterRegistryOf } from '../../src/stages/evm/sticky-filters.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

// Runtime code PUSH1 0 PUSH1 0 LOG0 STOP: every call to it emits one empty log.
const EMITTER = '0x00000000000000000000000000000000000000e1';
const EMITTER_CODE = '0x60006000a000';
const DEV = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

let one: Anvil;
let two: Anvil;
let front: Front;
let lb: TestBalancer;
let throttledOnce: Set<string>;

async function onNode(node: Anvil, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await postRaw(node.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return (JSON.parse(res.text) as { result?: unknown }).result;
}

async function call(method: string, params: unknown[] = []) {
  const res = await postRaw(lb.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const body = JSON.parse(res.text) as { result?: unknown; error?: { code: number; message: string } };
  return { ...body, upstream: res.headers['x-switchyard-upstream'] };
}

beforeEach(async () => {
  [one, two] = await Promise.all([startAnvil(['--chain-id', '31337']), startAnvil(['--chain-id', '31337'])]);
  for (const node of [one, two]) await onNode(node, 'anvil_setCode', [EMITTER, EMITTER_CODE]);
  throttledOnce = new Set();
  front = await startFront(two.url, (c) => {
    // Filter creation on `two` is rate limited once per method (Retry-After: 0), then served.
    if (!c.method.startsWith('eth_new') || throttledOnce.has(c.method)) return undefined;
    throttledOnce.add(c.method);
    return {
      kind: 'reply',
      status: 429,
      headers: { 'retry-after': '0' },
      body: { error: { code: 429, message: 'Too Many Requests' } },
    };
  });
  lb = await startBalancer(
    testConfig(
      [
        { name: 'two', url: front.url, priority: 0 },
        { name: 'one', url: one.url, priority: 1 },
      ],
      // Health checks only at start: a gone node must be noticed by the filter call itself.
      { health: { interval: '60s', busyInterval: '60s', downInterval: '60s' } },
      31337,
    ),
  );
  const chain = lb.server.runtime.defaultChain;
  await waitFor(() => chain.upstreams.every((u) => u.reportedChainId === 31337), 5000, 'chain id checks');
});

afterEach(async () => {
  await lb.close();
  await front.close();
  await Promise.all([one.stop(), two.stop()]);
});

describe('sticky filters', () => {
  it('polls a block filter on the node that created it, though another upstream is preferred (viem)', async () => {
    const client = createPublicClient({ chain: foundry, transport: http(lb.url, { retryCount: 0 }) });
    const filter = await client.createBlockFilter();
    expect(throttledOnce.has('eth_newBlockFilter')).toBe(true); // `two` refused, `one` created it
    for (let i = 0; i < 3; i++) {
      await Promise.all([onNode(one, 'evm_mine'), onNode(two, 'evm_mine')]);
      const hashes = await client.getFilterChanges({ filter });
      expect(hashes).toHaveLength(1);
      expect(hashes[0]).toBe(
        ((await onNode(one, 'eth_getBlockByNumber', ['latest', false])) as { hash: string }).hash,
      );
    }
    // Other calls still go to the preferred upstream; the filter calls never reached it.
    expect((await call('eth_chainId')).upstream).toBe('two');
    expect(front.count('eth_getFilterChanges')).toBe(0);
    expect(await client.uninstallFilter({ filter })).toBe(true);
    expect(filterRegistryOf(lb.server.runtime.defaultChain).size).toBe(0);
  });

  it('answers "filter not found" (-32000) for ids it never handed out, and false to uninstall them', async () => {
    expect((await call('eth_getFilterChanges', ['0x1'])).error).toEqual({
      code: -32000,
      message: 'filter not found',
    });
    expect((await call('eth_getFilterLogs', ['0xdeadbeef'])).error).toMatchObject({ code: -32000 });
    expect(await call('eth_uninstallFilter', ['0x1'])).toMatchObject({ result: false });
    // Ids are Switchyard's own: the node's id ("0x..." from `one`) is not accepted back as-is.
    const created = await call('eth_newBlockFilter');
    const nodeId = await onNode(one, 'eth_newBlockFilter');
    expect(typeof created.result).toBe('string');
    expect((await call('eth_getFilterChanges', [nodeId])).error).toMatchObject({ code: -32000 });
    expect((await call('eth_getFilterChanges', [created.result])).result).toEqual([]);
  });

  it('answers "filter not found" when the filter’s node is gone, and viem’s watchEvent recreates it elsewhere', async () => {
    const client = createPublicClient({
      chain: foundry,
      pollingInterval: 25,
      transport: http(lb.url, { retryCount: 0 }),
    });
    const blockFilter = await client.createBlockFilter(); // lands on `one` too
    const seen: Log[] = [];
    const unwatch = client.watchEvent({ address: EMITTER, poll: true, onLogs: (logs) => seen.push(...logs) });
    try {
      const registry = filterRegistryOf(lb.server.runtime.defaultChain);
      await waitFor(() => registry.size === 2, 5000, 'the event filter');
      await onNode(one, 'eth_sendTransaction', [{ from: DEV, to: EMITTER }]);
      await waitFor(() => seen.length === 1, 5000, 'a log from node one');

      await one.stop(); // the filters' node is gone: the first call to it says so
      const afterStop = seen.length;
      const gone = await call('eth_getFilterChanges', [blockFilter.id]);
      expect(gone.error).toEqual({ code: -32000, message: 'filter not found' });
      expect(lb.server.runtime.defaultChain.upstreams.find((u) => u.name === 'one')!.health).not.toBe('down');
      // viem keeps polling: "filter not found" makes it create a new filter, which lands on `two`.
      await waitFor(() => front.count('eth_newFilter') === 2, 5000, 'a new filter on two');
      await onNode(two, 'eth_sendTransaction', [{ from: DEV, to: EMITTER }]);
      await waitFor(() => seen.length === afterStop + 1, 5000, 'a log from node two');
      const twoHead = (await onNode(two, 'eth_getBlockByNumber', ['latest', false])) as { hash: string };
      expect(seen.at(-1)!.blockHash).toBe(twoHead.hash);
      expect(front.count('eth_getFilterChanges')).toBeGreaterThan(0);
    } finally {
      unwatch();
    }
    const direct = await call('eth_getFilterChanges', ['0x1234']);
    expect(direct.error).toMatchObject({ code: -32000, message: 'filter not found' });
  });
});
