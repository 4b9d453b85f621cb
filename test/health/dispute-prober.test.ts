// A disputed upstream comes back by a probe, not by a timer. A Solana chain over three clouds, one
// behind a front end that lies about balances: verified reads take it out of rotation after repeated
// disputes; the dispute probe (driven here in virtual time, over real sockets) keeps it out while it
// still lies however long it has been out, and puts it back once its answer agrees again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Front, type FrontRule, startFront } from '../../bench/anvil/chain-front.js';
import { type FamilyFleet, startFamilyFleet } from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';

const KEY = 'Vote111111111111111111111111111111111111111';
const HOUR_MS = 3_600_000;

let lying = true;
const lies: FrontRule = (call) =>
  lying && call.method === 'getBalance'
    ? { kind: 'rewrite', change: (r) => ({ ...(r as object), value: (r as { value: number }).value + 1 }) }
    : undefined;

let fleet: FamilyFleet;
let liar: Front;
let balancer: TestBalancer;

beforeAll(async () => {
  fleet = await startFamilyFleet('solana', {
    providers: ['aws', 'gcp', 'azure'].map((cloud) => ({
      name: `sol-${cloud}`,
      cloud,
      region: 'r1',
      provider: `p-${cloud}`,
      latencyMs: 1,
    })),
  });
  liar = await startFront(fleet.get('sol-azure').url, lies);
  const upstream = (name: string, url: string, cloud: string, priority: number) => ({
    name,
    url,
    cloud,
    region: 'r1',
    provider: `p-${cloud}`,
    priority,
  });
  balancer = await startBalancer({
    server: { host: '127.0.0.1', port: 0 },
    chains: [
      {
        name: 'solana',
        family: 'solana',
        genesisHash: fleet.identity,
        verify: { methods: ['getBalance'] },
        upstreams: [
          // The liar first: it takes part in every verified read while it is in rotation.
          upstream('liar', liar.url, 'azure', 0),
          upstream('honest-aws', fleet.get('sol-aws').url, 'aws', 1),
          upstream('honest-gcp', fleet.get('sol-gcp').url, 'gcp', 1),
        ],
      },
    ],
  });
}, 30_000);

afterAll(async () => {
  await balancer?.close();
  await liar?.close();
  await fleet?.close();
});

async function liarStatus() {
  const status = (await getJson(`${balancer.url}/status`)).json as {
    chains: { upstreams: { name: string; disputes: number; outOfRotation: boolean }[] }[];
  };
  return status.chains[0]!.upstreams.find((u) => u.name === 'liar')!;
}

describe('dispute probe', () => {
  it('takes a liar out after repeated disputes, keeps it out while it lies, brings it back when it agrees', async () => {
    const read = () =>
      postRaw(
        `${balancer.url}/solana`,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getBalance', params: [KEY] }),
      );
    for (let i = 0; i < 3; i++) expect(JSON.parse((await read()).text).result.value).toBeTypeOf('number');
    expect(await liarStatus()).toMatchObject({ disputes: 3, outOfRotation: true });
    const prober = balancer.server.runtime.disputeProber;
    const asked = () => liar.count('getBalance');
    const before = asked();
    // Within the minimum time out: no probe at all.
    await prober.pass(Date.now() + 1000);
    expect(asked()).toBe(before);
    // An hour later it still lies: the probe asks it the disputed read, and it stays out.
    const t0 = Date.now() + HOUR_MS;
    await prober.pass(t0);
    expect(asked()).toBe(before + 1);
    expect((await liarStatus()).outOfRotation).toBe(true);
    // It mends its ways; the next probe (after the backoff) sees it agree and puts it back.
    lying = false;
    await prober.pass(t0 + 1000);
    expect(asked()).toBe(before + 1);
    await prober.pass(t0 + HOUR_MS);
    expect(asked()).toBe(before + 2);
    expect(await liarStatus()).toMatchObject({ disputes: 3, outOfRotation: false });
    // Back in rotation it takes part in verified reads again.
    await read();
    expect(asked()).toBe(before + 3);
  }, 30_000);
});
