// Real clients subscribing through Switchyard to a real node (anvil): viem's webSocket transport
// (watchBlocks, watchEvent on a contract that emits) and ethers' WebSocketProvider, with the upstream
// feeding over its own WebSocket and, on a second balancer, over HTTP polling only.
import { WebSocketProvider } from 'ethers';
import { createPublicClient, parseAbiItem, toEventSelector, webSocket } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const EMITTER = '0x00000000000000000000000000000000000000e1';
const PING = parseAbiItem('event Ping(uint256 value)');
const PING_TOPIC = toEventSelector('Ping(uint256)');
// Runtime code: mstore(0, calldataload(0)); log1(0, 32, PING_TOPIC); stop.
const EMITTER_CODE = `0x6000356000527f${PING_TOPIC.slice(2)}60206000a100`;

let anvil: Anvil;
let viaWs: TestBalancer;
let viaPolling: TestBalancer;

async function anvilCall(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await postRaw(anvil.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return (JSON.parse(res.text) as { result: unknown }).result;
}

async function mine(blocks = 1): Promise<void> {
  for (let i = 0; i < blocks; i++) await anvilCall('evm_mine');
}

/** A transaction to the emitter (anvil mines it at once): one Ping(value) log in its own block. */
async function ping(value: number): Promise<void> {
  const data = `0x${value.toString(16).padStart(64, '0')}`;
  await anvilCall('eth_sendTransaction', [{ from: DEV_ACCOUNT, to: EMITTER, data }]);
}

/**
 * A new subscription's feed takes the node's head when it starts as its first block: a block mined
 * before that is never news. Under load the start can come late, so act (mine, ping) until the client
 * has seen something, which proves the feed live; only then do the measured blocks begin.
 */
async function untilLive(act: () => Promise<void>, seen: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!seen()) {
    if (Date.now() > until) throw new Error(`the feed never went live: no ${what}`);
    await act();
    await waitFor(seen, 500, what).catch(() => {});
  }
}

beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '31337']);
  await anvilCall('anvil_setCode', [EMITTER, EMITTER_CODE]);
  const fast = { subscriptions: { pollInterval: '50ms' }, health: { interval: '200ms' } };
  viaWs = await startBalancer(
    testConfig([{ name: 'anvil-ws', url: anvil.url, ws: `ws://127.0.0.1:${anvil.port}` }], fast, 31337),
  );
  viaPolling = await startBalancer(testConfig([{ name: 'anvil-http', url: anvil.url }], fast, 31337));
});

afterAll(async () => {
  await viaWs?.close();
  await viaPolling?.close();
  await anvil?.stop();
});

describe.each([
  ['a WebSocket upstream', () => viaWs],
  ['an HTTP-only upstream (polled)', () => viaPolling],
])('subscriptions through switchyard fed by %s', (_name, balancer) => {
  it('viem watchBlockNumber and watchBlocks get every new block once, in order, with the node hashes', async () => {
    const client = createPublicClient({
      chain: foundry,
      transport: webSocket(`${balancer().wsUrl}/ethereum`),
    });
    const numbers: bigint[] = [];
    const blocks: { number: bigint; hash: string }[] = [];
    const unwatchNumbers = client.watchBlockNumber({
      onBlockNumber: (n) => numbers.push(n),
      emitMissed: false,
    });
    const unwatchBlocks = client.watchBlocks({
      onBlock: (b) => blocks.push({ number: b.number, hash: b.hash }),
      emitMissed: false,
    });
    await untilLive(
      () => mine(),
      () => numbers.length > 0 && blocks.length > 0,
      'warm-up block',
    );
    const start = BigInt((await anvilCall('eth_blockNumber')) as string);
    await mine(4);
    await waitFor(() => blocks.some((b) => b.number === start + 4n), 5000, 'four new blocks');
    unwatchNumbers();
    unwatchBlocks();
    // watchBlockNumber hands on the notifications as they come: their order is Switchyard's.
    expect(numbers.filter((n) => n > start).map((n) => Number(n - start))).toEqual([1, 2, 3, 4]);
    // watchBlocks fetches each block (getBlock) after its notification, so two notifications close
    // together may reach onBlock in either order: that is viem's doing. Each block comes once.
    const after = blocks.filter((b) => b.number > start).sort((a, b) => Number(a.number - b.number));
    expect(after.map((b) => Number(b.number - start))).toEqual([1, 2, 3, 4]);
    for (const b of after) {
      const node = (await anvilCall('eth_getBlockByNumber', [`0x${b.number.toString(16)}`, false])) as {
        hash: string;
      };
      expect(b.hash).toBe(node.hash);
    }
    await client.transport.getRpcClient().then((rpc) => rpc.close());
  });

  it('viem watchEvent gets every log of the contract once, in order', async () => {
    const client = createPublicClient({
      chain: foundry,
      transport: webSocket(`${balancer().wsUrl}/ethereum`),
    });
    const values: bigint[] = [];
    const unwatch = client.watchEvent({
      address: EMITTER,
      event: PING,
      onLogs: (logs) => {
        for (const log of logs) values.push(log.args.value!);
      },
    });
    // Warm-up pings carry 1; the measured ones 11, 12, 13.
    await untilLive(
      () => ping(1),
      () => values.length > 0,
      'warm-up Ping log',
    );
    const measured = (): bigint[] => values.filter((v) => v > 10n);
    for (const v of [11, 12, 13]) await ping(v);
    await waitFor(() => measured().length >= 3, 5000, 'three Ping logs');
    await new Promise((resolve) => setTimeout(resolve, 200));
    unwatch();
    expect(measured()).toEqual([11n, 12n, 13n]);
    await client.transport.getRpcClient().then((rpc) => rpc.close());
  });

  it("ethers' WebSocketProvider reads and follows blocks and logs", async () => {
    const provider = new WebSocketProvider(`${balancer().wsUrl}/ethereum`);
    try {
      expect(Number((await provider.getNetwork()).chainId)).toBe(31337);
      const blocks: number[] = [];
      const logs: string[] = [];
      await provider.on('block', (n: number) => blocks.push(n));
      await provider.on({ address: EMITTER, topics: [PING_TOPIC] }, (log: { data: string }) =>
        logs.push(log.data),
      );
      await untilLive(
        () => ping(1),
        () => logs.length > 0 && blocks.length > 0,
        'warm-up block and log',
      );
      const start = Number(BigInt((await anvilCall('eth_blockNumber')) as string));
      const measured = (): bigint[] => logs.map((d) => BigInt(d)).filter((v) => v > 10n);
      await ping(21);
      await ping(22);
      await waitFor(
        () => measured().length >= 2 && blocks.includes(start + 2),
        5000,
        'two blocks and two logs',
      );
      expect(measured()).toEqual([21n, 22n]);
      expect(blocks.filter((n) => n > start)).toEqual([start + 1, start + 2]);
    } finally {
      await provider.destroy();
    }
  });
});
