// Solana, Bitcoin and CometBFT chains through the balancer, on simulated multi-cloud fleets with the
// real answer shapes (src/simulation/fake-*.ts): a node on another chain (wrong genesis / network) never
// serves, a region outage fails no read, a node that is behind (slots behind, initial block download,
// catching up) gets no reads, and a duplicate transaction submission is answered as a success.
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type FakeFamilyName,
  type FamilyCondition,
  type FamilyFleet,
  type FamilyProviderSpec,
  startFamilyFleet,
} from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { sleep } from '../helpers/ops.js';
import { memoTransaction } from '../helpers/solana.js';

const SPECS: FamilyProviderSpec[] = [
  { name: 'aws-a', cloud: 'aws', region: 'us-east-1', provider: 'p1', latencyMs: 1 },
  { name: 'aws-b', cloud: 'aws', region: 'us-east-1', provider: 'p2', latencyMs: 1 },
  { name: 'gcp-a', cloud: 'gcp', region: 'europe-west1', provider: 'p3', latencyMs: 3 },
  { name: 'gcp-b', cloud: 'gcp', region: 'europe-west1', provider: 'p4', latencyMs: 3 },
  { name: 'odd', cloud: 'ovh', region: 'gra', provider: 'p5', wrongChain: true },
];

interface FamilyCase {
  family: FakeFamilyName;
  /** A read that no health probe makes, so its count at a node is client traffic only. */
  read: { method: string; params: unknown };
  behind: FamilyCondition;
  /** A transaction submission and the id the answer must carry. */
  submission: () => Promise<{ method: string; params: unknown; id: string; result: (r: unknown) => unknown }>;
}

const BITCOIN_RAW =
  '01000000010c7196428403d8b0c88fcb3ee8d64f56f55c8973c9ab7dd106bb4f3527f5888d000000006a4730440220503a696f55f2c00eee2ac5e65b17767cd88ed04866b5637d3c1d5d996a70656d02202c9aff698f343abb6d176704beda63fcdec503133ea4f6a5216b7f925fa9910c0121024d89b5a13d6521388969209df27a8469bd565aff10e8d42cef931fad5121bfb8ffffffff02b825b404000000001976a914ef79e7ee9fff98bcfd08473d2b76b02a48f8c69088ac0000000000000000296a2732363030393438363937313732333132373633313032313332353630353838373931323132373000000000';

let fleet: FamilyFleet | undefined;
let balancer: TestBalancer | undefined;

afterEach(async () => {
  await balancer?.close();
  await fleet?.close();
  balancer = undefined;
  fleet = undefined;
});

const CASES: FamilyCase[] = [
  {
    family: 'solana',
    read: { method: 'getBalance', params: ['So11111111111111111111111111111111111111112'] },
    behind: { kind: 'behind', slots: 500 },
    submission: async () => {
      const { wire, signature } = await memoTransaction(fleet!.identity, 7, 2);
      return {
        method: 'sendTransaction',
        params: [wire, { encoding: 'base64' }],
        id: signature,
        result: (r) => r,
      };
    },
  },
  {
    family: 'bitcoin',
    read: { method: 'getbestblockhash', params: [] },
    behind: { kind: 'ibd', behind: 5000 },
    submission: async () => ({
      method: 'sendrawtransaction',
      params: [BITCOIN_RAW],
      id: '971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd',
      result: (r) => r,
    }),
  },
  {
    family: 'cometbft',
    read: { method: 'abci_info', params: {} },
    behind: { kind: 'catching_up', behind: 100 },
    submission: async () => ({
      method: 'broadcast_tx_sync',
      params: { tx: Buffer.from('transfer:alice:bob:5').toString('base64') },
      id: '',
      result: (r) => (r as { hash: string }).hash,
    }),
  },
];

async function setup(family: FakeFamilyName): Promise<{ f: FamilyFleet; b: TestBalancer }> {
  fleet = await startFamilyFleet(family, { providers: SPECS, intervalMs: 200 });
  const { chains } = parse(fleet.upstreamsYaml('c')) as { chains: unknown[] };
  balancer = await startBalancer({
    server: { host: '127.0.0.1', port: 0 },
    health: { interval: '200ms', downInterval: '100ms', busyInterval: '300ms', maxBlockLag: 20 },
    chains,
  });
  return { f: fleet, b: balancer };
}

async function call(b: TestBalancer, method: string, params: unknown, id = 1) {
  const res = await postRaw(`${b.url}/c`, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  return JSON.parse(res.text) as { id: number; result?: unknown; error?: { code: number; message: string } };
}

const served = (f: FamilyFleet, name: string, method: string) => f.get(name).stats.byMethod.get(method) ?? 0;

describe.each(CASES)('$family chains through the balancer', (c) => {
  it('serves reads, never from the node on another chain, which /status shows as wrongChain', async () => {
    const { f, b } = await setup(c.family);
    for (let i = 0; i < 30; i++)
      expect(await call(b, c.read.method, c.read.params, i)).toHaveProperty('result');
    expect(served(f, 'odd', c.read.method)).toBe(0);
    const status = (await getJson(`${b.url}/status`)).json as {
      chains: { upstreams: { name: string; wrongChain: boolean; usable: boolean; head: number | null }[] }[];
    };
    const ups = status.chains[0]!.upstreams;
    expect(ups.find((u) => u.name === 'odd')).toMatchObject({ wrongChain: true, usable: false });
    expect(ups.filter((u) => u.name !== 'odd').every((u) => u.usable && u.head !== null)).toBe(true);
  });

  it('a region outage fails no read', async () => {
    const { f, b } = await setup(c.family);
    let failed = 0;
    let ok = 0;
    const until = Date.now() + 2500;
    const fault = sleep(500).then(() => f.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'hang' }));
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; Date.now() < until; i++) {
          const answer = await call(b, c.read.method, c.read.params, w * 10_000 + i);
          if (answer.result === undefined) failed++;
          else ok++;
        }
      }),
    );
    await fault;
    expect(failed).toBe(0);
    expect(ok).toBeGreaterThan(50);
    expect(served(f, 'odd', c.read.method)).toBe(0);
  });

  it('a node that is behind gets no reads', async () => {
    const { f, b } = await setup(c.family);
    f.setCondition('gcp-b', c.behind);
    let lastStatus: { usable: boolean } | undefined;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const doc = (await getJson(`${b.url}/status`)).json as {
        chains: { upstreams: { name: string; usable: boolean; lagging: boolean; health: string }[] }[];
      };
      const u = doc.chains[0]!.upstreams.find((x) => x.name === 'gcp-b')!;
      lastStatus = { usable: u.usable && !u.lagging };
      if (!lastStatus.usable) break;
      await sleep(50);
    }
    expect(lastStatus?.usable).toBe(false);
    const before = served(f, 'gcp-b', c.read.method);
    for (let i = 0; i < 40; i++)
      expect(await call(b, c.read.method, c.read.params, i)).toHaveProperty('result');
    expect(served(f, 'gcp-b', c.read.method)).toBe(before);
  });

  it('a duplicate submission is answered as success with the same id, from two failure domains', async () => {
    const { f, b } = await setup(c.family);
    const sub = await c.submission();
    const first = await call(b, sub.method, sub.params, 1);
    expect(first.error).toBeUndefined();
    const second = await call(b, sub.method, sub.params, 2);
    expect(second.error).toBeUndefined();
    expect(sub.result(second.result)).toBe(sub.result(first.result));
    if (sub.id) expect(sub.result(first.result)).toBe(sub.id);
    const reached = f.providers.filter((p) => served(f, p.name, sub.method) > 0).map((p) => p.spec.cloud);
    expect(new Set(reached).size).toBeGreaterThanOrEqual(2);
  });
});
