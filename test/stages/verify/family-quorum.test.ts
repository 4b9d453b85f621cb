// Quorum for the other families: a solana, a bitcoin and a cometbft chain whose upstreams sit in three
// clouds, one behind a front end that alters its answers. With x-switchyard-verify: quorum the truth
// comes back with its verification header; without it the lying upstream alone serves the lie.
import { afterAll, describe, expect, it } from 'vitest';
import { type Front, type FrontRule, startFront } from '../../../bench/anvil/chain-front.js';
import type { FakeFamilyName } from '../../../src/simulation/family-fleet.js';
import { type FamilyFleet, startFamilyFleet } from '../../../src/simulation/index.js';
import { postRaw, startBalancer, type TestBalancer } from '../../helpers/balancer.js';

const QUORUM = { 'x-switchyard-verify': 'quorum' };
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const CASES: { family: FakeFamilyName; method: string; params: unknown; lie: FrontRule }[] = [
  {
    family: 'solana',
    method: 'getBalance',
    params: ['Vote111111111111111111111111111111111111111'],
    lie: (c) =>
      c.method === 'getBalance'
        ? {
            kind: 'rewrite',
            change: (r) => ({ ...(r as object), value: (r as { value: number }).value + 1 }),
          }
        : undefined,
  },
  {
    family: 'bitcoin',
    method: 'getblockhash',
    params: [1],
    lie: (c) =>
      c.method === 'getblockhash' ? { kind: 'rewrite', change: () => 'ab'.repeat(32) } : undefined,
  },
  {
    family: 'cometbft',
    method: 'block',
    params: { height: '2' },
    lie: (c) =>
      c.method === 'block'
        ? { kind: 'rewrite', change: (r) => ({ ...(r as object), block_id: { hash: 'FORGED' } }) }
        : undefined,
  },
];

async function chainOf(family: FakeFamilyName, lie: FrontRule) {
  const fleet: FamilyFleet = await startFamilyFleet(family, {
    startHeight: 10,
    providers: ['aws', 'gcp', 'azure'].map((cloud) => ({
      name: `${family}-${cloud}`,
      cloud,
      region: 'r1',
      provider: `p-${cloud}`,
      latencyMs: 1,
    })),
  });
  closers.push(() => fleet.close());
  const liar: Front = await startFront(fleet.get(`${family}-azure`).url, lie);
  closers.push(() => liar.close());
  const identity = family === 'cometbft' ? { network: fleet.identity } : { genesisHash: fleet.identity };
  const upstream = (cloud: string, url: string) => ({
    name: `${family}-${cloud}`,
    url,
    cloud,
    region: 'r1',
    provider: `p-${cloud}`,
  });
  const chain = (upstreams: unknown[]) => ({ name: family, family, ...identity, upstreams });
  const verified: TestBalancer = await startBalancer({
    server: { host: '127.0.0.1', port: 0 },
    chains: [
      chain([
        upstream('azure', liar.url),
        upstream('aws', fleet.get(`${family}-aws`).url),
        upstream('gcp', fleet.get(`${family}-gcp`).url),
      ]),
    ],
  });
  closers.push(() => verified.close());
  const lyingOnly: TestBalancer = await startBalancer({
    server: { host: '127.0.0.1', port: 0 },
    chains: [chain([upstream('azure', liar.url)])],
  });
  closers.push(() => lyingOnly.close());
  return { fleet, verified, lyingOnly };
}

function body(family: FakeFamilyName, method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: family === 'bitcoin' ? '1.0' : '2.0', id: 1, method, params });
}

describe('quorum for solana, bitcoin and cometbft', () => {
  for (const { family, method, params, lie } of CASES) {
    it(`${family}: ${method} is verified across clouds; unverified, the liar's answer goes through`, async () => {
      const { fleet, verified, lyingOnly } = await chainOf(family, lie);
      const truth = JSON.parse(
        (await postRaw(fleet.get(`${family}-aws`).url, body(family, method, params))).text,
      ).result;
      const lied = JSON.parse(
        (await postRaw(`${lyingOnly.url}/${family}`, body(family, method, params))).text,
      ).result;
      expect(lied).not.toEqual(truth);
      for (let i = 0; i < 5; i++) {
        const r = await postRaw(`${verified.url}/${family}`, body(family, method, params), QUORUM);
        expect(JSON.parse(r.text).result).toEqual(truth);
        expect(r.headers['x-switchyard-verified']).toMatch(/^quorum 2\/2 cloud=/);
      }
    }, 20_000);
  }
});
