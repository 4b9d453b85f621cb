// Fleet mode over a real redis-server with three Switchyard CLI processes (issue 13): a domain opened
// on A shows on B within 100 ms (measured from the two processes' own timestamps, not with sleeps); a
// cordon made on A is honoured by B and by a C started afterwards; one API key's limit holds across
// A and B together; Redis killed under load and restarted: no failed request, everyone reconverges.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import {
  adminCall,
  chainStatus,
  type LogLine,
  type SwitchyardProcess,
  startSwitchyard,
} from '../helpers/fleet.js';
import { startLoad } from '../helpers/load.js';
import { fleetUpstreams, parseProm, SPREAD_ROUTING, sleep, total } from '../helpers/ops.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

const ADMIN_KEY = 'fleet-admin-key-0123456789';
const LIMITED_KEY = 'limited-key-0123456789';
const OPEN_KEY = 'unlimited-key-0123456789';
const RATE = 20;

let redis: RedisServer;
let fleet: Fleet;
let dir: string;
const members: SwitchyardProcess[] = [];

function config(name: string) {
  return {
    server: { host: '127.0.0.1', port: 0 },
    security: {
      adminKeys: [ADMIN_KEY],
      apiKeys: [
        { name: 'limited', key: LIMITED_KEY, ratePerSecond: RATE, burst: RATE },
        { name: 'unlimited', key: OPEN_KEY },
      ],
    },
    routing: SPREAD_ROUTING,
    // The region stays open on A while B is looked at.
    breakers: { domain: { backoff: '5s', maxBackoff: '5s' } },
    // Only A watches idle upstreams at the default pace: B, which carries no traffic, is to learn the
    // outage from A (with its own liveness probes it would find it as soon, by itself).
    ...(name === 'a' ? {} : { health: { watchInterval: '10s' } }),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config ${VAR}, read from the environment
    fleet: { redis: '${REDIS_URL}', name: 'test-fleet' },
    chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
  };
}

async function member(name: string): Promise<SwitchyardProcess> {
  const p = await startSwitchyard(dir, name, config(name), { REDIS_URL: redis.url });
  members.push(p);
  await waitFor(() => p.logs.some((l) => l.msg === 'fleet: connected'), 5000, `${name} connected to Redis`);
  return p;
}

const firstLog = (p: SwitchyardProcess, match: (l: LogLine) => boolean) => p.logs.find(match);

/** One eth_chainId call with the rate-limited key; resolves with the HTTP status. */
async function limitedCall(p: SwitchyardProcess): Promise<number> {
  const res = await fetch(p.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': LIMITED_KEY },
    body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
  });
  await res.text();
  return res.status;
}

/** Reads until `done` holds or `timeoutMs` passed (measured, not slept); resolves with the last read. */
async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const started = performance.now();
  let value = await read();
  while (!done(value) && performance.now() - started < timeoutMs) {
    await sleep(10);
    value = await read();
  }
  return value;
}

const connectedCount = async () => (await fleetConnected(a)) + (await fleetConnected(b));

async function fleetConnected(p: SwitchyardProcess): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  return total(parseProm(text), 'switchyard_fleet_connected');
}

let a: SwitchyardProcess;
let b: SwitchyardProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-fleet-'));
  redis = await startRedis();
  fleet = await startFleet({ providers: standardFleet(), blockTimeMs: 200 });
  [a, b] = await Promise.all([member('a'), member('b')]);
}, 30_000);

afterAll(async () => {
  await Promise.all(members.map((p) => p.stop()));
  await fleet?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet mode over Redis', () => {
  it('opens a domain on B within 100 ms of A, though only A carries traffic', async () => {
    const region = 'region:aws/us-east-1';
    // Detection may take seconds on a loaded CI machine; what is asserted is the spread from A to B.
    const load = startLoad(a.url, { clients: 8, maxMs: 10_000, headers: { 'x-api-key': OPEN_KEY } });
    await sleep(300);
    // Refused connections, not a hang: what is measured is the spread from A to B, and a hang's evidence
    // on A depends on how much traffic A still routes into the region (little on a loaded machine).
    await fleet.setFault({ region: 'us-east-1' }, { kind: 'refuse' });
    const opened = (l: LogLine) =>
      l.msg === 'failure domain breaker' && l.domain === region && l.to === 'open';
    await waitFor(() => firstLog(b, opened) !== undefined, 8000, 'B to open the region');
    const aOpenMs = Date.parse(firstLog(a, opened)!.time);
    const bOpenMs = Date.parse(firstLog(b, opened)!.time);
    expect(
      b.logs.some((l) => l.msg === 'failure domain opened by another fleet member' && l.domain === region),
    ).toBe(true);
    // B's /status shows it, with the time it opened there.
    const domain = (await chainStatus(b.url)).domains.find((d) => d.key === region)!;
    expect(domain.state).not.toBe('closed');
    expect(Date.parse(domain.openedAt!) - aOpenMs).toBeLessThanOrEqual(100);
    expect(bOpenMs - aOpenMs).toBeGreaterThanOrEqual(0);
    expect(bOpenMs - aOpenMs).toBeLessThanOrEqual(100);
    await fleet.setFault({ region: 'us-east-1' }, { kind: 'none' });
    await load.stop();
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
  });

  it('honours a cordon made on A on B and on a C started afterwards, until it is lifted', async () => {
    const target = 'region:gcp/europe-west1';
    const made = await adminCall(
      a.url,
      'POST',
      '/admin/cordon',
      { target, reason: 'GCP incident 42', ttl: '10m' },
      ADMIN_KEY,
    );
    expect(made.status).toBe(200);
    const cordonOn = async (p: SwitchyardProcess) =>
      (await chainStatus(p.url)).domains.find((d) => d.key === target)!.cordon?.note;
    await readUntil(
      () => cordonOn(b),
      (n) => n !== undefined,
      2000,
    );
    expect(await cordonOn(b)).toBe('cordoned by operator: GCP incident 42');
    const c = await member('c');
    await readUntil(
      () => cordonOn(c),
      (n) => n !== undefined,
      2000,
    );
    expect(await cordonOn(c)).toBe('cordoned by operator: GCP incident 42');
    const load = startLoad(c.url, { clients: 4, maxRequests: 200, headers: { 'x-api-key': OPEN_KEY } });
    await load.done;
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
    expect(load.samples.filter((s) => s.upstream?.startsWith('gcp-'))).toEqual([]);

    const lifted = await adminCall(b.url, 'DELETE', '/admin/cordon', { target }, ADMIN_KEY);
    expect(lifted.status).toBe(200);
    for (const p of [a, c]) {
      await readUntil(
        () => cordonOn(p),
        (n) => n === undefined,
        2000,
      );
      expect(await cordonOn(p)).toBeUndefined();
    }
  });

  it("holds one key's rate limit across A and B together", async () => {
    // Let the bucket fill up from earlier use.
    await sleep(1100);
    const results: number[] = [];
    const startMs = performance.now();
    const client = async (p: SwitchyardProcess) => {
      while (performance.now() - startMs < 1000) results.push(await limitedCall(p));
    };
    await Promise.all([client(a), client(b), client(a), client(b)]);
    const elapsedS = (performance.now() - startMs) / 1000;
    const allowed = results.filter((s) => s === 200).length;
    const limited = results.filter((s) => s === 429).length;
    expect(allowed + limited).toBe(results.length);
    // The fleet bucket: a burst plus the rate over the run, plus each member's small credit.
    const fleetLimit = RATE + RATE * elapsedS + 2 * 2;
    expect(allowed).toBeLessThanOrEqual(fleetLimit);
    // Each instance alone would have allowed twice the burst; the fleet still allows most of one.
    expect(allowed).toBeGreaterThan(RATE);
    expect(limited).toBeGreaterThan(0);
  });

  it('keeps serving with Redis killed under load, says so once, and reconverges when it returns', async () => {
    const headers = { 'x-api-key': OPEN_KEY };
    const loads = [a, b].map((p) => startLoad(p.url, { clients: 4, maxMs: 6000, headers }));
    await sleep(300);
    await redis.kill();
    await readUntil(connectedCount, (n) => n === 0, 4000);
    expect(await fleetConnected(a)).toBe(0);
    expect(await fleetConnected(b)).toBe(0);
    // Cordoned while Redis is away: applies on A now, reaches the fleet when Redis is back.
    const made = await adminCall(
      a.url,
      'POST',
      '/admin/cordon',
      { target: 'network:lava', ttl: '10m' },
      ADMIN_KEY,
    );
    expect(made.status).toBe(200);
    await sleep(500);
    await redis.restart();
    await readUntil(connectedCount, (n) => n === 2, 5000);
    expect(await fleetConnected(a)).toBe(1);
    expect(await fleetConnected(b)).toBe(1);
    const lavaOnB = async () =>
      (await chainStatus(b.url)).domains.find((d) => d.key === 'network:lava')!.cordon;
    await readUntil(lavaOnB, (c) => c !== null, 8000);
    expect(await lavaOnB()).not.toBeNull();
    await Promise.all(loads.map((l) => l.done));
    const samples = loads.flatMap((l) => l.samples);
    expect(samples.length).toBeGreaterThan(100);
    expect(samples.filter((s) => !s.ok)).toEqual([]);
    for (const p of [a, b]) {
      const outages = p.logs.filter((l) => l.msg.startsWith('fleet: shared state unreachable'));
      expect(outages).toHaveLength(1);
      expect(p.logs.some((l) => l.msg === 'fleet: shared state reachable again; resyncing')).toBe(true);
    }
  }, 40_000);

  it('keeps serving with Redis partitioned away (connections open, no answers), failing rate limits open', async () => {
    const loads = [a, b].map((p) =>
      startLoad(p.url, { clients: 4, maxMs: 5000, headers: { 'x-api-key': OPEN_KEY } }),
    );
    await sleep(300);
    redis.pause();
    try {
      await readUntil(connectedCount, (n) => n === 0, 4000);
      expect(await fleetConnected(a)).toBe(0);
      expect(await fleetConnected(b)).toBe(0);
      // The limited key is served on each instance's own bucket while the store does not answer.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push(await limitedCall(a));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(a.logs.some((l) => l.msg.startsWith('fleet: rate limits fail open'))).toBe(true);
    } finally {
      redis.resume();
    }
    await readUntil(connectedCount, (n) => n === 2, 5000);
    expect(await fleetConnected(a)).toBe(1);
    expect(await fleetConnected(b)).toBe(1);
    await Promise.all(loads.map((l) => l.done));
    const samples = loads.flatMap((l) => l.samples);
    expect(samples.length).toBeGreaterThan(100);
    expect(samples.filter((s) => !s.ok)).toEqual([]);
  }, 30_000);

  it('never lets eth_blockNumber go backwards across the fleet: a member behind answers the served head', async () => {
    // D's upstreams are 500 blocks behind A's (the same chain id): without the shared served head, a
    // client moving from A to D would see the chain go back 500 blocks.
    const behind = await startFleet({ providers: standardFleet(), startBlock: 100 });
    try {
      const d = await startSwitchyard(
        dir,
        'd',
        { ...config('d'), chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(behind) }] },
        { REDIS_URL: redis.url },
      );
      members.push(d);
      await waitFor(() => d.logs.some((l) => l.msg === 'fleet: connected'), 5000, 'D connected');
      const blockNumber = async (p: SwitchyardProcess) => {
        const res = await fetch(p.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': OPEN_KEY },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
        });
        return Number.parseInt(((await res.json()) as { result: string }).result, 16);
      };
      // A client alternating between A and D at once: each answer at least the one before, no wait.
      let last = 0;
      for (let i = 0; i < 10; i++) {
        const onA = await blockNumber(a);
        expect(onA).toBeGreaterThan(900);
        expect(onA).toBeGreaterThanOrEqual(last);
        const onD = await blockNumber(d);
        expect(onD).toBeGreaterThanOrEqual(onA);
        last = onD;
      }
    } finally {
      await behind.close();
    }
  });

  it('never shows the Redis URL in logs, /status or /metrics', async () => {
    for (const p of members) {
      expect(p.output()).not.toContain(redis.url);
      expect(await (await fetch(`${p.url}/status`)).text()).not.toContain(redis.url);
      expect(await (await fetch(`${p.url}/metrics`)).text()).not.toContain(`127.0.0.1:${redis.port}`);
    }
  });
});
