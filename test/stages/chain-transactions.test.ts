// eth_sendRawTransaction through Switchyard to a real node (anvil) behind fault-injecting front ends,
// each front a separate upstream in its own failure domain: broadcast to two domains at once, answer on
// the first acceptance, "already known"/"nonce too low" resolved by hash, lost copies checked by hash,
// never resent, and TX_OUTCOME_UNKNOWN with the hash when nobody knows it.
import { createPublicClient, createWalletClient, type Hex, http, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { type Front, type FrontRule, startFront, waitFor } from '../../bench/anvil/chain-front.js';
import {
  postRaw,
  startBalancer,
  type TestBalancer,
  testConfig,
  type UpstreamSpec,
} from '../helpers/balancer.js';

// anvil's default dev accounts (public test keys, funded on every anvil chain).
const KEYS: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
];
const UNFUNDED_KEY: Hex = `0x${'42'.repeat(32)}`;
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const SEND = 'eth_sendRawTransaction';
const BY_HASH = 'eth_getTransactionByHash';

let anvil: Anvil;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '31337']);
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close();
  await anvil.stop();
});

async function front(rule?: FrontRule): Promise<Front> {
  const f = await startFront(anvil.url, rule);
  open.push(f);
  return f;
}

async function balancer(upstreams: UpstreamSpec[]): Promise<TestBalancer> {
  const lb = await startBalancer(
    testConfig(
      upstreams,
      { routing: { sendTransactionDomains: 2, hedge: { minDelay: '5ms', maxDelay: '10ms' } } },
      31337,
    ),
  );
  open.push(lb);
  const chain = lb.server.runtime.defaultChain;
  await waitFor(() => chain.upstreams.every((u) => u.reportedChainId === 31337), 5000, 'chain id checks');
  return lb;
}

/** A signed transfer from the key's account with its next nonce, signed locally (never through the balancer). */
async function signedTransfer(key: Hex): Promise<Hex> {
  const wallet = createWalletClient({
    account: privateKeyToAccount(key),
    chain: foundry,
    transport: http(anvil.url),
  });
  const request = await wallet.prepareTransactionRequest({ to: RECIPIENT, value: 1n, gas: 21_000n });
  return wallet.signTransaction(request);
}

async function send(lb: TestBalancer, raw: Hex) {
  const res = await postRaw(lb.url, JSON.stringify({ jsonrpc: '2.0', id: 7, method: SEND, params: [raw] }));
  const { result, error } = JSON.parse(res.text) as {
    result?: string;
    error?: { code: number; message: string; data?: unknown };
  };
  return error ? { error } : { result };
}

async function onNode(method: string, params: unknown[]): Promise<unknown> {
  const res = await postRaw(anvil.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return (JSON.parse(res.text) as { result?: unknown }).result;
}

const aws = (name: string, url: string, priority: number): UpstreamSpec => ({
  name,
  url,
  cloud: 'aws',
  region: 'us-east-1',
  provider: `provider-${name}`,
  priority,
});
const gcp = (name: string, url: string, priority: number): UpstreamSpec => ({
  name,
  url,
  cloud: 'gcp',
  region: 'europe-west1',
  provider: `provider-${name}`,
  priority,
});

describe('eth_sendRawTransaction through switchyard', () => {
  it('sends to two failure domains at once and answers on the first acceptance (viem wallet)', async () => {
    // a and b share a region and are preferred; only the domain rule can bring c in.
    const slow: FrontRule = (c) => (c.method === SEND ? { kind: 'forward', delayMs: 400 } : undefined);
    const a = await front(slow);
    const b = await front(slow);
    const c = await front();
    const lb = await balancer([aws('a', a.url, 0), aws('b', b.url, 0), gcp('c', c.url, 1)]);
    const wallet = createWalletClient({
      account: privateKeyToAccount(KEYS[0]!),
      chain: foundry,
      transport: http(lb.url, { retryCount: 0 }),
    });
    const client = createPublicClient({ chain: foundry, transport: http(lb.url) });

    const hash = await wallet.sendTransaction({ to: RECIPIENT, value: 1n });
    const answeredAtMs = performance.now();

    expect(c.count(SEND)).toBe(1);
    expect(a.count(SEND) + b.count(SEND)).toBe(1);
    const first = [...a.calls, ...b.calls].find((x) => x.method === SEND)!;
    const second = c.calls.find((x) => x.method === SEND)!;
    // Both copies left together, and the answer did not wait for the slow domain's 400 ms.
    expect(Math.abs(first.atMs - second.atMs)).toBeLessThan(100);
    expect(answeredAtMs).toBeLessThan(first.atMs + 400);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    expect(receipt.status).toBe('success');
    // The slow copy reaches the node later and is answered "nonce too low": no resend, no second copy.
    await waitFor(() => a.count(SEND) + b.count(SEND) === 1 && c.count(SEND) === 1, 1000);
  });

  it('answers "already known" copies with the hash, computed locally (keccak-256 of the raw bytes)', async () => {
    const a = await front();
    const c = await front();
    const lb = await balancer([aws('a', a.url, 0), gcp('c', c.url, 0)]);
    await onNode('evm_setAutomine', [false]);
    try {
      const raw = await signedTransfer(KEYS[1]!);
      expect(await onNode(SEND, [raw])).toBe(keccak256(raw)); // already in the node's pool
      const answer = await send(lb, raw);
      expect(answer).toEqual({ result: keccak256(raw) });
      expect(a.count(SEND) + c.count(SEND)).toBe(2);
      // "transaction already imported" is acceptance by itself: no lookup needed.
      expect(a.count(BY_HASH) + c.count(BY_HASH)).toBe(0);
    } finally {
      await onNode('evm_setAutomine', [true]);
      await onNode('evm_mine', []);
    }
  });

  it('answers "nonce too low" for a transaction already mined with its hash, after finding it by hash', async () => {
    const a = await front();
    const c = await front();
    const lb = await balancer([aws('a', a.url, 0), gcp('c', c.url, 0)]);
    const raw = await signedTransfer(KEYS[1]!);
    const sent = (await onNode(SEND, [raw])) as string;
    // Wait until it is mined: while it is only pending, a resend is "already known" instead.
    for (let i = 0; i < 100 && (await onNode('eth_getTransactionReceipt', [sent])) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await send(lb, raw)).toEqual({ result: keccak256(raw) });
    expect(a.count(SEND)).toBe(1);
    expect(c.count(SEND)).toBe(1);
    expect(a.count(BY_HASH) + c.count(BY_HASH)).toBeGreaterThan(0);
  });

  it('reports success when every connection was lost after the node took the transaction', async () => {
    const lost: FrontRule = (c) => (c.method === SEND ? { kind: 'forward-then-reset' } : undefined);
    const a = await front(lost);
    const c = await front(lost);
    const lb = await balancer([aws('a', a.url, 0), gcp('c', c.url, 0)]);
    const raw = await signedTransfer(KEYS[2]!);
    expect(await send(lb, raw)).toEqual({ result: keccak256(raw) });
    // One copy per domain, never resent after the reset; the outcome came from the lookup by hash.
    expect(a.count(SEND)).toBe(1);
    expect(c.count(SEND)).toBe(1);
    expect(a.count(BY_HASH) + c.count(BY_HASH)).toBeGreaterThan(0);
    expect(await onNode(BY_HASH, [keccak256(raw)])).not.toBeNull();
  });

  it('answers TX_OUTCOME_UNKNOWN with the hash when copies were lost and no node knows it, never resending', async () => {
    const cut: FrontRule = (c) => (c.method === SEND ? { kind: 'reset' } : undefined);
    const a = await front(cut);
    const c = await front(cut);
    const lb = await balancer([aws('a', a.url, 0), gcp('c', c.url, 0)]);
    const raw = await signedTransfer(KEYS[2]!);
    const answer = await send(lb, raw);
    expect(answer.error).toMatchObject({ code: -32056, data: { hash: keccak256(raw) } });
    expect(answer.error?.message).toMatch(/check it by hash before resending/);
    expect(a.count(SEND)).toBe(1);
    expect(c.count(SEND)).toBe(1);
    expect(a.count(BY_HASH) + c.count(BY_HASH)).toBeGreaterThan(0);
    expect(await onNode(BY_HASH, [keccak256(raw)])).toBeNull();
  });

  it('passes the node’s own rejection through (viem sees "insufficient funds")', async () => {
    const a = await front();
    const c = await front();
    const lb = await balancer([aws('a', a.url, 0), gcp('c', c.url, 0)]);
    const wallet = createWalletClient({
      account: privateKeyToAccount(UNFUNDED_KEY),
      chain: foundry,
      transport: http(lb.url, { retryCount: 0 }),
    });
    await expect(
      wallet.sendTransaction({
        to: RECIPIENT,
        value: 1n,
        gas: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
        nonce: 0,
      }),
    ).rejects.toThrow(/insufficient funds/i);
    expect(a.count(SEND)).toBe(1);
    expect(c.count(SEND)).toBe(1);
  });

  it('gives a copy refused without being executed (rate limited) to another domain', async () => {
    const throttled = await front((c) =>
      c.method === SEND
        ? { kind: 'reply', status: 429, body: { error: { code: 429, message: 'Too Many Requests' } } }
        : undefined,
    );
    const a = await front();
    const c = await front();
    const lb = await balancer([
      {
        name: 'throttled',
        url: throttled.url,
        cloud: 'azure',
        region: 'eastus',
        provider: 'p-t',
        priority: 0,
      },
      aws('a', a.url, 1),
      gcp('c', c.url, 1),
    ]);
    const raw = await signedTransfer(KEYS[0]!);
    expect(await send(lb, raw)).toEqual({ result: keccak256(raw) });
    expect(throttled.count(SEND)).toBe(1);
    // The preferred upstream refused, so the other two domains each got one copy.
    await waitFor(() => a.count(SEND) === 1 && c.count(SEND) === 1, 1000, 'both copies');
  });
});
