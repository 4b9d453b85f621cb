// A real client (viem) against the running balancer, in front of a real node (anvil) and of the
// simulated fleet: reads, batches, a transaction, and an upstream that refuses connections.
import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { ChainSim, startFakeProvider } from '../../src/simulation/index.js';
import { startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

// anvil's first default dev account (public test key, funded on every anvil chain).
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

let anvil: Anvil;
let balancer: TestBalancer;

beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '31337']);
  balancer = await startBalancer(testConfig([{ name: 'anvil', url: anvil.url }], {}, 31337));
});

afterAll(async () => {
  await balancer.close();
  await anvil.stop();
});

describe('viem through switchyard to anvil', () => {
  it('reads chain id, block number and balances', async () => {
    const client = createPublicClient({ chain: foundry, transport: http(balancer.url) });
    expect(await client.getChainId()).toBe(31337);
    expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(0n);
    expect(await client.getBalance({ address: RECIPIENT })).toBe(parseEther('10000'));
  });

  it('sends a transaction and reads its receipt', async () => {
    const account = privateKeyToAccount(DEV_KEY);
    const wallet = createWalletClient({ account, chain: foundry, transport: http(balancer.url) });
    const client = createPublicClient({ chain: foundry, transport: http(balancer.url) });
    const before = await client.getBalance({ address: RECIPIENT });
    const hash = await wallet.sendTransaction({ to: RECIPIENT, value: parseEther('1') });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt.status).toBe('success');
    expect(await client.getBalance({ address: RECIPIENT })).toBe(before + parseEther('1'));
  });

  it('answers viem batches (http batch transport)', async () => {
    const client = createPublicClient({ chain: foundry, transport: http(balancer.url, { batch: true }) });
    const [id, block, gas] = await Promise.all([
      client.getChainId(),
      client.getBlockNumber(),
      client.getGasPrice(),
    ]);
    expect(id).toBe(31337);
    expect(block).toBeGreaterThanOrEqual(0n);
    expect(gas).toBeGreaterThan(0n);
  });

  it('surfaces a revert to viem as the node reported it, and keeps the upstream healthy', async () => {
    const client = createPublicClient({ chain: foundry, transport: http(balancer.url, { retryCount: 0 }) });
    // PUSH1 0 PUSH1 0 REVERT, installed with a state override: a real revert from a real node.
    const reverting = '0x00000000000000000000000000000000000000aa';
    await expect(
      client.call({
        to: reverting,
        data: '0x',
        stateOverride: [{ address: reverting, code: '0x60006000fd' }],
      }),
    ).rejects.toThrow(/revert/i);
    const status = (await (await fetch(`${balancer.url}/status`)).json()) as {
      chains: { upstreams: { breaker: string; failures: number }[] }[];
    };
    expect(status.chains[0]!.upstreams[0]!.breaker).toBe('closed');
    expect(status.chains[0]!.upstreams[0]!.failures).toBe(0);
  });
});

describe('viem through switchyard to the simulated fleet', () => {
  it('never sees the upstream that refuses connections', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 5 });
    const good = await startFakeProvider({ name: 'good', chain });
    const dead = await startFakeProvider({ name: 'dead', chain, fault: { kind: 'refuse' } });
    const lb = await startBalancer(
      testConfig([
        { name: 'dead', url: dead.url },
        { name: 'good', url: good.url },
      ]),
    );
    try {
      const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
      for (let i = 0; i < 20; i++) expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(5n);
    } finally {
      await lb.close();
      await good.close();
      await dead.close();
    }
  });
});
