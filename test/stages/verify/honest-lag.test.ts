// Bitcoin and CometBFT quorum between honest nodes one block apart: CometBFT reads of the latest height
// are pinned to one height (a node not there yet refuses), Bitcoin Core's tip-relative members
// (confirmations, nextblockhash) are left out of the comparison. Either way the lagging honest node
// earns no dispute, and a liar next to it is still outvoted and disputed.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Front, type FrontRule, startFront } from '../../../bench/anvil/chain-front.js';
import type { BitcoinChain } from '../../../src/simulation/fake-bitcoin.js';
import type { FakeFamilyName, FamilyCondition } from '../../../src/simulation/family-fleet.js';
import { type FamilyFleet, startFamilyFleet } from '../../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../../helpers/balancer.js';

const QUORUM = { 'x-switchyard-verify': 'quorum' };
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

interface UpstreamView {
  name: string;
  head: number | null;
  disputes: number;
}

/** Four clouds: a node one block behind and a liar in the preferred tier, two honest nodes after them. */
async function chainOf(family: FakeFamilyName, lagging: FamilyCondition, lie: FrontRule) {
  const fleet: FamilyFleet = await startFamilyFleet(family, {
    startHeight: 50,
    providers: ['aws', 'gcp', 'azure', 'ovh'].map((cloud) => ({
      name: `${family}-${cloud}`,
      cloud,
      region: 'r1',
      provider: `p-${cloud}`,
      latencyMs: 1,
    })),
  });
  closers.push(() => fleet.close());
  fleet.setCondition(`${family}-azure`, lagging);
  const front = async (name: string, rule?: FrontRule): Promise<Front> => {
    const f = await startFront(fleet.get(name).url, rule);
    closers.push(() => f.close());
    return f;
  };
  const upstream = (name: string, url: string, cloud: string, priority: number) => ({
    name,
    url,
    cloud,
    region: 'r1',
    provider: `p-${cloud}`,
    priority,
  });
  const identity = family === 'cometbft' ? { network: fleet.identity } : { genesisHash: fleet.identity };
  const balancer: TestBalancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      chains: [
        {
          name: family,
          family,
          ...identity,
          upstreams: [
            upstream('lagging', (await front(`${family}-azure`)).url, 'azure', 0),
            upstream('liar', (await front(`${family}-ovh`, lie)).url, 'ovh', 0),
            upstream('honest-aws', fleet.get(`${family}-aws`).url, 'aws', 1),
            upstream('honest-gcp', fleet.get(`${family}-gcp`).url, 'gcp', 1),
          ],
        },
      ],
    },
    { operations: true },
  );
  closers.push(() => balancer.close());
  const upstreams = async () =>
    (
      (await getJson(`${balancer.url}/status`)).json as {
        chains: { upstreams: UpstreamView[] }[];
      }
    ).chains[0]!.upstreams;
  await vi.waitFor(async () => expect((await upstreams()).every((u) => u.head !== null)).toBe(true), {
    timeout: 15_000,
    interval: 50,
  });
  const read = async (method: string, params: unknown) => {
    const body = JSON.stringify({ jsonrpc: family === 'bitcoin' ? '1.0' : '2.0', id: 1, method, params });
    const r = await postRaw(`${balancer.url}/${family}`, body, QUORUM);
    return { verified: r.headers['x-switchyard-verified'], result: JSON.parse(r.text).result as unknown };
  };
  return { fleet, read, upstreams };
}

async function expectLaggingSpared(upstreams: () => Promise<UpstreamView[]>) {
  const byName = new Map((await upstreams()).map((u) => [u.name, u]));
  expect(byName.get('lagging')!.disputes).toBe(0);
  expect(byName.get('honest-aws')!.disputes).toBe(0);
  expect(byName.get('liar')!.disputes).toBeGreaterThan(0);
}

describe('honest nodes one block apart agree', () => {
  it('cometbft: a read of the latest block is pinned to one height', async () => {
    const { fleet, read, upstreams } = await chainOf('cometbft', { kind: 'lagging', behind: 1 }, (c) =>
      c.method === 'block'
        ? { kind: 'rewrite', change: (r) => ({ ...(r as object), block_id: { hash: 'FORGED' } }) }
        : undefined,
    );
    const tip = fleet.clock.height;
    for (let i = 0; i < 3; i++) {
      const r = await read('block', {});
      const block = r.result as { block: { header: { height: string } }; block_id: { hash: string } };
      expect(block.block.header.height).toBe(String(tip));
      expect(block.block_id.hash).not.toBe('FORGED');
      expect(r.verified).toMatch(/^quorum 2\/2 cloud=(aws,gcp|gcp,aws)$/);
    }
    await expectLaggingSpared(upstreams);
  }, 30_000);

  it("bitcoin: getblock compares everything but the members counted from each node's tip", async () => {
    const { fleet, read, upstreams } = await chainOf('bitcoin', { kind: 'behind', blocks: 1 }, (c) =>
      c.method === 'getblock'
        ? { kind: 'rewrite', change: (r) => ({ ...(r as object), merkleroot: 'ab'.repeat(32) }) }
        : undefined,
    );
    // The lagging node's tip block: one confirmation and no nextblockhash there, two and one elsewhere.
    const hash = (fleet.chain as BitcoinChain).blockHash(fleet.clock.height - 1);
    for (let i = 0; i < 3; i++) {
      const r = await read('getblock', [hash, 1]);
      const block = r.result as { hash: string; merkleroot: string };
      expect(block.hash).toBe(hash);
      expect(block.merkleroot).not.toBe('ab'.repeat(32));
      expect(r.verified).toMatch(/^quorum 2\/2 cloud=/);
    }
    await expectLaggingSpared(upstreams);
  }, 30_000);
});
