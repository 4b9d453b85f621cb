// The admin API and cordons on one instance (no fleet): 404 without admin keys, 401 without a valid
// key, 400 naming the field, a cordon takes its region out of traffic and shows in /status, expires
// with its ttl, and a cordon of every upstream falls back to the panic rule (and says so).
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { adminCall, chainStatus } from '../helpers/fleet.js';
import { startLoad } from '../helpers/load.js';
import { fleetUpstreams, SPREAD_ROUTING, sleep } from '../helpers/ops.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';

let fleet: Fleet | undefined;
let balancer: TestBalancer | undefined;

afterEach(async () => {
  await balancer?.close();
  await fleet?.close();
  balancer = undefined;
  fleet = undefined;
});

async function setup(adminKeys: string[] = [ADMIN_KEY]) {
  fleet = await startFleet({ providers: standardFleet() });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      security: { adminKeys },
      routing: SPREAD_ROUTING,
      chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
    },
    { operations: true },
  );
  return balancer;
}

describe('admin API', () => {
  it('answers 404 on every admin route when no admin key is configured', async () => {
    const b = await setup([]);
    for (const [method, path] of [
      ['GET', '/admin/cordons'],
      ['POST', '/admin/cordon'],
      ['DELETE', '/admin/cordon'],
    ] as const) {
      const r = await adminCall(b.url, method, path, { target: 'provider:lava', ttl: '1m' }, ADMIN_KEY);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
  });

  it('answers 401 without the header or with a wrong key, and never echoes the key', async () => {
    const b = await setup();
    const missing = await adminCall(b.url, 'GET', '/admin/cordons');
    expect(missing.status).toBe(401);
    const wrong = await adminCall(
      b.url,
      'POST',
      '/admin/cordon',
      { target: 'provider:lava', ttl: '1m' },
      'nope',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('missing or unknown admin key');
    expect(wrong.text).not.toContain('nope');
    expect((await adminCall(b.url, 'GET', '/admin/cordons', undefined, ADMIN_KEY)).json).toEqual({
      cordons: [],
    });
  });

  it.each([
    [{ target: 'zone:aws', ttl: '1m' }, 'target'],
    [{ target: 'region:aws', ttl: '1m' }, 'target'],
    [{ target: 'provider:lava' }, 'ttl'],
    [{ target: 'provider:lava', ttl: 'soon' }, 'ttl'],
    [{ target: 'provider:lava', ttl: '1m', reason: 7 }, 'reason'],
    [{ target: 'provider:lava', ttl: '1m', owner: 'me' }, 'owner'],
    ['not json', '(body)'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const b = await setup();
    const r = await adminCall(b.url, 'POST', '/admin/cordon', body, ADMIN_KEY);
    expect(r.status).toBe(400);
    const error = (r.json as { error: { message: string; data: { field: string } } }).error;
    expect(error.data.field).toBe(field);
    expect(error.message).toContain(`invalid cordon request: ${field}:`);
  });

  it('answers 404 naming the target when deleting a cordon that is not there', async () => {
    const b = await setup();
    const r = await adminCall(b.url, 'DELETE', '/admin/cordon', { target: 'provider:lava' }, ADMIN_KEY);
    expect(r.status).toBe(404);
    expect(r.text).toContain('no cordon on that target');
  });
});

describe('cordons on one instance', () => {
  it('takes a cordoned region out of traffic, shows it in /status, and lifts it on DELETE', async () => {
    const b = await setup();
    const made = await adminCall(
      b.url,
      'POST',
      '/admin/cordon',
      { target: 'region:aws/us-east-1', reason: 'AWS status page: elevated errors', ttl: '30m' },
      ADMIN_KEY,
    );
    expect(made.status).toBe(200);
    expect((made.json as { upstreams: string[] }).upstreams.sort()).toEqual(['aws-use1-a', 'aws-use1-b']);
    const load = startLoad(b.url, { clients: 8, maxRequests: 300 });
    await load.done;
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
    expect(load.samples.filter((s) => s.upstream?.startsWith('aws-'))).toEqual([]);

    const chain = await chainStatus(b.url);
    const region = chain.domains.find((d) => d.key === 'region:aws/us-east-1')!;
    expect(region.cordon?.note).toBe('cordoned by operator: AWS status page: elevated errors');
    expect(chain.upstreams.find((u) => u.name === 'aws-use1-a')!.cordon?.target).toBe('region:aws/us-east-1');
    expect(chain.panic).toBeNull();
    const listed = (await adminCall(b.url, 'GET', '/admin/cordons', undefined, ADMIN_KEY)).json as {
      cordons: { target: string; reason: string; expiresAt: string }[];
    };
    expect(listed.cordons.map((c) => c.target)).toEqual(['region:aws/us-east-1']);
    expect(Date.parse(listed.cordons[0]!.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);

    const lifted = await adminCall(
      b.url,
      'DELETE',
      '/admin/cordon',
      { target: 'region:aws/us-east-1' },
      ADMIN_KEY,
    );
    expect(lifted.status).toBe(200);
    expect((await chainStatus(b.url)).upstreams.every((u) => u.cordon === null)).toBe(true);
  });

  it('expires a cordon with its ttl', async () => {
    const b = await setup();
    await adminCall(b.url, 'POST', '/admin/cordon', { target: 'upstream:lava-1', ttl: '1s' }, ADMIN_KEY);
    expect((await chainStatus(b.url)).upstreams.find((u) => u.name === 'lava-1')!.cordon?.note).toBe(
      'cordoned by operator',
    );
    await sleep(1100);
    expect((await chainStatus(b.url)).upstreams.find((u) => u.name === 'lava-1')!.cordon).toBeNull();
    expect((await adminCall(b.url, 'GET', '/admin/cordons', undefined, ADMIN_KEY)).json).toEqual({
      cordons: [],
    });
  });

  it('never leaves the chain with no upstream: cordoning everything falls back to panic and says so', async () => {
    const b = await setup();
    const targets = ['region:aws/us-east-1', 'region:gcp/europe-west1', 'network:lava'];
    let last: { warnings: string[] } | undefined;
    for (const target of targets) {
      last = (
        await adminCall(b.url, 'POST', '/admin/cordon', { target, reason: 'drill', ttl: '5m' }, ADMIN_KEY)
      ).json as { warnings: string[] };
    }
    expect(last!.warnings.join(' ')).toContain('the panic rule still uses them');
    const load = startLoad(b.url, { clients: 4, maxRequests: 100 });
    await load.done;
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
    expect((await chainStatus(b.url)).panic).toContain('every usable upstream is cordoned');
    expect(b.logs.some((l) => l.includes('the panic rule still uses them'))).toBe(true);
  });
});
