// Solana quorum at one slot: every participant gets the read with `minContextSlot` pinned (merged into
// its config object), so an honest upstream a few slots behind refuses (-32016) instead of answering
// older state and earning a dispute; a liar at the head is still outvoted and disputed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Front, type FrontRule, startFront } from '../../../bench/anvil/chain-front.js';
import { base58Encode } from '../../../src/families/base58.js';
import type { SolanaCluster } from '../../../src/simulation/fake-solana.js';
import { type FamilyFleet, startFamilyFleet } from '../../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../../helpers/balancer.js';

const QUORUM = { 'x-switchyard-verify': 'quorum' };
const BALANCE_KEY = base58Encode(new Uint8Array(32).fill(7));
const ACCOUNT_KEY = base58Encode(new Uint8Array(32).fill(9));

/** The liar adds a lamport to every balance it reports. */
const lies: FrontRule = (call) => {
  const plusOne = (change: (v: Record<string, unknown>) => unknown) => ({
    kind: 'rewrite' as const,
    change: (r: unknown) => ({
      ...(r as object),
      value: change((r as { value: Record<string, unknown> }).value),
    }),
  });
  if (call.method === 'getBalance') return plusOne((v) => (v as unknown as number) + 1);
  if (call.method === 'getAccountInfo')
    return plusOne((v) => ({ ...v, lamports: (v.lamports as number) + 1 }));
  return undefined;
};

let fleet: FamilyFleet;
let fronts: Record<'aws' | 'gcp' | 'lagging' | 'liar', Front>;
let balancer: TestBalancer;

interface UpstreamView {
  name: string;
  head: number | null;
  disputes: number;
}

async function upstreams(): Promise<UpstreamView[]> {
  const status = (await getJson(`${balancer.url}/status`)).json as {
    chains: { upstreams: UpstreamView[] }[];
  };
  return status.chains[0]!.upstreams;
}

beforeAll(async () => {
  fleet = await startFamilyFleet('solana', {
    providers: ['aws', 'gcp', 'azure', 'ovh'].map((cloud) => ({
      name: `sol-${cloud}`,
      cloud,
      region: 'r1',
      provider: `p-${cloud}`,
      latencyMs: 1,
    })),
  });
  // An honest node three slots behind: within the lag rule, so still in rotation.
  fleet.setCondition('sol-azure', { kind: 'behind', slots: 3 });
  const cluster = fleet.chain as SolanaCluster;
  const tip = cluster.slot;
  // Written where the nodes at the head see it and the lagging one does not yet: finalized trails the
  // tip by 32 slots, confirmed by 1 (the fake's clock moves only when told, so this holds).
  cluster.ledger.write(BALANCE_KEY, tip - 33, { lamports: 4_200 });
  cluster.ledger.write(ACCOUNT_KEY, tip - 2, { lamports: 7_700 });
  fronts = {
    aws: await startFront(fleet.get('sol-aws').url),
    gcp: await startFront(fleet.get('sol-gcp').url),
    lagging: await startFront(fleet.get('sol-azure').url),
    liar: await startFront(fleet.get('sol-ovh').url, lies),
  };
  const upstream = (name: string, front: Front, cloud: string, priority: number) => ({
    name,
    url: front.url,
    cloud,
    region: 'r1',
    provider: `p-${cloud}`,
    priority,
  });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      chains: [
        {
          name: 'solana',
          family: 'solana',
          genesisHash: fleet.identity,
          upstreams: [
            // The lagging node and the liar in the preferred tier: always among the first asked.
            upstream('lagging', fronts.lagging, 'azure', 0),
            upstream('liar', fronts.liar, 'ovh', 0),
            upstream('honest-aws', fronts.aws, 'aws', 1),
            upstream('honest-gcp', fronts.gcp, 'gcp', 1),
          ],
        },
      ],
    },
    { operations: true },
  );
  // The pin comes from the probed heads: wait until every upstream has one.
  await vi.waitFor(async () => expect((await upstreams()).every((u) => u.head !== null)).toBe(true), {
    timeout: 15_000,
    interval: 50,
  });
}, 30_000);

afterAll(async () => {
  await balancer?.close();
  for (const f of Object.values(fronts ?? {})) await f.close();
  await fleet?.close();
});

async function read(method: string, params: unknown[]) {
  const r = await postRaw(
    `${balancer.url}/solana`,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    QUORUM,
  );
  return {
    verified: r.headers['x-switchyard-verified'],
    body: JSON.parse(r.text) as Record<string, unknown>,
  };
}

describe('solana quorum at one slot (minContextSlot)', () => {
  it('a lagging honest upstream refuses the pinned slot instead of disputing; the liar is still caught', async () => {
    for (let i = 0; i < 3; i++) {
      const balance = await read('getBalance', [BALANCE_KEY]);
      expect((balance.body.result as { value: number }).value).toBe(4_200);
      expect(balance.verified).toMatch(/^quorum 2\/2 cloud=(aws,gcp|gcp,aws)$/);
      const account = await read('getAccountInfo', [
        ACCOUNT_KEY,
        { encoding: 'base64', commitment: 'confirmed' },
      ]);
      expect((account.body.result as { value: { lamports: number } }).value.lamports).toBe(7_700);
    }
    // The lagging node was asked (it refused the slot), and none of that counted against it.
    expect(fronts.lagging.count('getBalance')).toBeGreaterThan(0);
    const byName = new Map((await upstreams()).map((u) => [u.name, u]));
    expect(byName.get('lagging')!.disputes).toBe(0);
    expect(byName.get('liar')!.disputes).toBeGreaterThan(0);
    expect(byName.get('honest-aws')!.disputes).toBe(0);
  });

  it('merges minContextSlot into the caller config, keeping commitment and encoding', async () => {
    const sent = fronts.aws.calls.filter((c) => c.method === 'getAccountInfo').at(-1)!;
    const config = sent.params[1] as Record<string, unknown>;
    expect(config).toMatchObject({ encoding: 'base64', commitment: 'confirmed' });
    const heads = (await upstreams()).filter((u) => u.name.startsWith('honest')).map((u) => u.head!);
    // Pinned at the head (confirmed) a quorum of clouds has reached; finalized reads that far behind it.
    expect(config.minContextSlot).toBe(Math.min(...heads));
    const balance = fronts.gcp.calls.filter((c) => c.method === 'getBalance').at(-1)!;
    expect((balance.params[1] as { minContextSlot: number }).minContextSlot).toBe(Math.min(...heads) - 32);
  });
});
