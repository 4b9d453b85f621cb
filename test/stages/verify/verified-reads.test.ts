// Verified reads against real anvil behind fault-injecting front ends, one of which lies: viem and
// ethers reading through Switchyard never get the lie with verification on, and do get it without.
import { FetchRequest, JsonRpcProvider } from 'ethers';
import { createPublicClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Anvil, startAnvil } from '../../../bench/anvil/anvil.js';
import { type Front, type FrontRule, startFront } from '../../../bench/anvil/chain-front.js';
import { buildConfig } from '../../../src/config/config.js';
import { getJson, postRaw, startBalancer, type TestBalancer, testConfig } from '../../helpers/balancer.js';

const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const CONTRACT = '0x00000000000000000000000000000000000c0de1';
const SLOT_VALUE = `0x${'ab'.repeat(32)}`;

/** The lies: balances doubled, a stored word flipped, a block's miner changed, a log fabricated. */
const lies: FrontRule = (call) => {
  if (call.method === 'eth_getBalance')
    return { kind: 'rewrite', change: (r) => `0x${(BigInt(r as string) * 2n).toString(16)}` };
  if (call.method === 'eth_getStorageAt') return { kind: 'rewrite', change: () => `0x${'cd'.repeat(32)}` };
  if (call.method === 'eth_getBlockByNumber')
    return {
      kind: 'rewrite',
      change: (b) => (b ? { ...(b as object), miner: '0x000000000000000000000000000000000000dead' } : b),
    };
  if (call.method === 'eth_getLogs')
    return {
      kind: 'rewrite',
      change: (logs) => [
        ...(logs as unknown[]),
        {
          address: ALICE,
          topics: [`0x${'11'.repeat(32)}`],
          data: '0x',
          blockNumber: '0x1',
          blockHash: `0x${'22'.repeat(32)}`,
          logIndex: '0x0',
          transactionHash: `0x${'33'.repeat(32)}`,
          transactionIndex: '0x0',
          removed: false,
        },
      ],
    };
  if (call.method === 'eth_getProof')
    return {
      kind: 'rewrite',
      change: (p) => ({
        ...(p as object),
        balance: `0x${(BigInt((p as { balance: string }).balance) * 2n).toString(16)}`,
      }),
    };
  return undefined;
};

/** A provider whose proofs alone are tampered: the proven balance does not match the claimed one. */
const proofLies: FrontRule = (call) => (call.method === 'eth_getProof' ? lies(call) : undefined);

/** Honest fronts answer a few ms later, so the liar (fastest) is always among the first participants. */
const honest: FrontRule = () => ({ kind: 'forward', delayMs: 3 });

let anvil: Anvil;
let fronts: Front[];
let verified: TestBalancer;
let plain: TestBalancer;

async function rpc(url: string, method: string, params: unknown[]) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

beforeAll(async () => {
  anvil = await startAnvil();
  await rpc(anvil.url, 'anvil_setCode', [CONTRACT, '0x6001600055']);
  await rpc(anvil.url, 'anvil_setStorageAt', [CONTRACT, '0x1', SLOT_VALUE]);
  await rpc(anvil.url, 'anvil_mine', ['0x3']);
  fronts = [
    await startFront(anvil.url, lies),
    await startFront(anvil.url, honest),
    await startFront(anvil.url, honest),
    await startFront(anvil.url, proofLies),
  ];
  const [liar, gcp, ovh] = fronts.map((f) => f.url);
  verified = await startBalancer(
    {
      ...testConfig(
        [
          { name: 'liar', url: liar!, cloud: 'azure' },
          { name: 'honest-gcp', url: gcp!, cloud: 'gcp' },
          { name: 'honest-ovh', url: ovh!, cloud: 'ovh' },
        ],
        {},
        31337,
      ),
    },
    { operations: true },
  );
  plain = await startBalancer(testConfig([{ name: 'liar', url: liar!, cloud: 'azure' }], {}, 31337));
}, 30_000);

afterAll(async () => {
  await verified?.close();
  await plain?.close();
  for (const f of fronts ?? []) await f.close();
  await anvil?.stop();
});

const QUORUM = { 'x-switchyard-verify': 'quorum' };
const PROOF = { 'x-switchyard-verify': 'proof' };

describe('verified reads (anvil, one lying provider)', () => {
  it('without verification the lie is served (viem)', async () => {
    const truth = BigInt((await rpc(anvil.url, 'eth_getBalance', [ALICE, 'latest'])) as string);
    const client = createPublicClient({ chain: foundry, transport: http(plain.url) });
    expect(await client.getBalance({ address: ALICE })).toBe(truth * 2n);
  });

  it('with quorum, viem and ethers never see a lie, and the answer says how it was verified', async () => {
    const truth = BigInt((await rpc(anvil.url, 'eth_getBalance', [ALICE, 'latest'])) as string);
    const viem = createPublicClient({
      chain: foundry,
      transport: http(verified.url, { fetchOptions: { headers: QUORUM } }),
    });
    const request = new FetchRequest(verified.url);
    request.setHeader('x-switchyard-verify', 'quorum');
    const ethersFetch = new JsonRpcProvider(request, 31337, { staticNetwork: true });
    for (let i = 0; i < 4; i++) {
      expect(await viem.getBalance({ address: ALICE })).toBe(truth);
      expect(await ethersFetch.getBalance(ALICE)).toBe(truth);
      expect(await viem.getStorageAt({ address: CONTRACT, slot: '0x1' })).toBe(SLOT_VALUE);
    }
    const raw = await postRaw(
      verified.url,
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'eth_getBalance', params: [ALICE, 'latest'] }),
      QUORUM,
    );
    expect(raw.headers['x-switchyard-verified']).toMatch(/^quorum 2\/2 cloud=(gcp,ovh|ovh,gcp)$/);
    ethersFetch.destroy();
  });

  it('the liar gets disputes on /status and metrics, and repeated ones take it out of rotation', async () => {
    const status = (await getJson(`${verified.url}/status`)).json as {
      chains: {
        upstreams: { name: string; disputes: number; outOfRotation: boolean }[];
        lastDisputes: { answers: { upstream: string; digest: string }[] }[];
      }[];
    };
    const chain = status.chains[0]!;
    const liar = chain.upstreams.find((u) => u.name === 'liar')!;
    expect(liar.disputes).toBeGreaterThanOrEqual(3);
    expect(liar.outOfRotation).toBe(true);
    expect(chain.upstreams.find((u) => u.name === 'honest-gcp')!.disputes).toBe(0);
    expect(chain.lastDisputes[0]!.answers.map((a) => a.upstream)).toContain('liar');
    const text = await (await fetch(`${verified.url}/metrics`)).text();
    expect(text).toMatch(
      /switchyard_verified_reads_total\{chain="ethereum",upstream="liar",result="disputed"\} [1-9]/,
    );
    expect(text).toMatch(
      /switchyard_verified_reads_total\{chain="ethereum",upstream="honest-gcp",result="verified"\} [1-9]/,
    );
  });

  it('a tampered block and a fabricated log are never returned', async () => {
    const truth = (await rpc(anvil.url, 'eth_getBlockByNumber', ['0x2', false])) as {
      miner: string;
      hash: string;
    };
    const viem = createPublicClient({
      chain: foundry,
      transport: http(verified.url, { fetchOptions: { headers: QUORUM } }),
    });
    const block = await viem.getBlock({ blockNumber: 2n });
    expect(block.hash).toBe(truth.hash);
    expect(block.miner.toLowerCase()).toBe(truth.miner.toLowerCase());
    const logs = await viem.request({
      method: 'eth_getLogs',
      params: [{ fromBlock: '0x0', toBlock: 'latest' }],
    });
    expect(logs).toEqual(await rpc(anvil.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]));
    // Without verification the same reads return the lies.
    const lied = createPublicClient({ chain: foundry, transport: http(plain.url) });
    expect((await lied.getBlock({ blockNumber: 2n })).miner.toLowerCase()).toBe(
      '0x000000000000000000000000000000000000dead',
    );
    expect(
      (await lied.request({ method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: 'latest' }] }))
        .length,
    ).toBe(1);
  });
});

describe('proofs (anvil eth_getProof)', () => {
  it('balance, nonce, code and storage are proven against a quorum-verified header; a tampered proof is rejected', async () => {
    const proving = await startBalancer(
      testConfig(
        [
          // The liar in the preferred tier: its proof is always the first one asked.
          { name: 'proof-liar', url: fronts[3]!.url, cloud: 'hetzner', priority: 0 },
          { name: 'honest-gcp', url: fronts[1]!.url, cloud: 'gcp', priority: 1 },
          { name: 'honest-ovh', url: fronts[2]!.url, cloud: 'ovh', priority: 1 },
        ],
        {},
        31337,
      ),
      { operations: true },
    );
    const headers = { 'content-type': 'application/json', ...PROOF };
    const ask = async (method: string, params: unknown[]) => {
      const r = await postRaw(
        proving.url,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        headers,
      );
      if (!r.text.includes('result')) throw new Error(r.text);
      return {
        header: r.headers['x-switchyard-verified'],
        result: (JSON.parse(r.text) as { result: unknown }).result,
      };
    };
    const head = (await rpc(anvil.url, 'eth_getBlockByNumber', ['latest', false])) as {
      hash: string;
      number: string;
    };
    const balance = await ask('eth_getBalance', [ALICE, 'latest']);
    expect(balance.result).toBe(await rpc(anvil.url, 'eth_getBalance', [ALICE, head.number]));
    expect(balance.header).toBe(`proof block=${head.hash}`);
    expect((await ask('eth_getTransactionCount', [ALICE, 'latest'])).result).toBe(
      await rpc(anvil.url, 'eth_getTransactionCount', [ALICE, head.number]),
    );
    expect((await ask('eth_getCode', [CONTRACT, 'latest'])).result).toBe('0x6001600055');
    expect((await ask('eth_getStorageAt', [CONTRACT, '0x1', 'latest'])).result).toBe(SLOT_VALUE);
    expect((await ask('eth_getStorageAt', [CONTRACT, '0x2', 'latest'])).result).toBe(`0x${'0'.repeat(64)}`);
    const status = (await getJson(`${proving.url}/status`)).json as {
      chains: { upstreams: { name: string; disputes: number }[] }[];
    };
    expect(fronts[3]!.count('eth_getProof')).toBeGreaterThan(0);
    expect(status.chains[0]!.upstreams.find((u) => u.name === 'proof-liar')!.disputes).toBeGreaterThan(0);
    await proving.close();
  });
});

describe('policy errors', () => {
  it('UNVERIFIED when fewer clouds than the quorum can answer, naming upstreams and digests only', async () => {
    const one = await startBalancer(
      testConfig([{ name: 'only', url: fronts[1]!.url, cloud: 'gcp' }], {}, 31337),
    );
    try {
      const r = await postRaw(
        one.url,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [ALICE, 'latest'] }),
        QUORUM,
      );
      const body = JSON.parse(r.text) as {
        error: { code: number; message: string; data: { reason: string } };
      };
      expect(body.error.code).toBe(-32070);
      expect(body.error.data.reason).toMatch(/1 usable cloud/);
      expect(r.text).not.toContain('127.0.0.1');
    } finally {
      await one.close();
    }
  });

  it('UNVERIFIED with onDispute: error when two clouds disagree', async () => {
    const raw = testConfig(
      [
        { name: 'l', url: fronts[0]!.url, cloud: 'azure' },
        { name: 'h', url: fronts[1]!.url, cloud: 'gcp' },
      ],
      {},
      31337,
    );
    (raw.chains[0] as Record<string, unknown>).verify = { onDispute: 'error', methods: ['eth_getBalance'] };
    const two = await startBalancer(raw);
    try {
      const r = await postRaw(
        two.url,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [ALICE, '0x1'] }),
      );
      const body = JSON.parse(r.text) as {
        error: { code: number; data: { answers: { upstream: string; digest: string }[] } };
      };
      expect(body.error.code).toBe(-32070);
      const answers = body.error.data.answers;
      expect(answers.map((a) => a.upstream).sort()).toEqual(['h', 'l']);
      expect(new Set(answers.map((a) => a.digest)).size).toBe(2);
      // Off for this request: the chain's policy stands aside.
      const off = await postRaw(
        two.url,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        { 'x-switchyard-verify': 'off' },
      );
      expect(JSON.parse(off.text).result).toBe('0x7a69');
    } finally {
      await two.close();
    }
  });

  it('a bad x-switchyard-verify is refused with INVALID_REQUEST', async () => {
    const r = await postRaw(
      verified.url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      { 'x-switchyard-verify': 'maybe' },
    );
    expect(JSON.parse(r.text).error.message).toMatch(/x-switchyard-verify: expected quorum, proof or off/);
  });

  it('switchyard check refuses a quorum the clouds cannot meet, naming the key', () => {
    const raw = testConfig([
      { name: 'a', url: 'http://127.0.0.1:1', cloud: 'aws' },
      { name: 'b', url: 'http://127.0.0.1:2', cloud: 'aws' },
    ]);
    (raw.chains[0] as Record<string, unknown>).verify = {};
    expect(() => buildConfig(raw, 'c.yaml')).toThrow(
      /c\.yaml: chains\[0\]\.verify\.quorum: a quorum of 2 across cloud needs 2 distinct clouds; chain "ethereum" has 1 \(aws\)/,
    );
    (raw.chains[0] as Record<string, unknown>).verify = { across: 'provider' };
    expect(buildConfig(raw, 'c.yaml').chains[0]!.verify).toEqual({
      methods: expect.arrayContaining(['eth_getBalance', 'eth_getLogs']),
      quorum: 2,
      across: 'provider',
      onDispute: 'majority',
      proofs: false,
    });
  });
});

describe('WebSocket', () => {
  it('honours x-switchyard-verify on the upgrade request for the whole connection', async () => {
    const balancer = await startBalancer(
      testConfig(
        [
          { name: 'ws-gcp', url: fronts[1]!.url, cloud: 'gcp' },
          { name: 'ws-ovh', url: fronts[2]!.url, cloud: 'ovh' },
        ],
        {},
        31337,
      ),
      { operations: true },
    );
    const verifiedSeries = async () =>
      (
        (await (await fetch(`${balancer.url}/metrics`)).text()).match(
          /switchyard_verified_reads_total\{[^}]*result="verified"\} (\d+)/g,
        ) ?? []
      ).length;
    const read = (headers: Record<string, string>) =>
      new Promise<unknown>((resolve, reject) => {
        const ws = new WebSocket(`${balancer.wsUrl}/ethereum`, { headers });
        ws.on('error', reject);
        ws.on('open', () =>
          ws.send(
            JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [ALICE, 'latest'] }),
          ),
        );
        ws.on('message', (data) => {
          ws.close();
          resolve((JSON.parse(String(data)) as { result: unknown }).result);
        });
      });
    try {
      const truth = await rpc(anvil.url, 'eth_getBalance', [ALICE, 'latest']);
      expect(await read({})).toBe(truth);
      expect(await verifiedSeries()).toBe(0);
      expect(await read(QUORUM)).toBe(truth);
      expect(await verifiedSeries()).toBe(2);
      await expect(read({ 'x-switchyard-verify': 'sometimes' })).rejects.toThrow(
        /Unexpected server response/,
      );
    } finally {
      await balancer.close();
    }
  });
});
