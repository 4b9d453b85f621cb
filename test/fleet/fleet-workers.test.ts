// `server.workers: 2` without Redis (issue 13): both workers serve the one port and say which answered;
// a domain opened by the worker carrying the traffic opens on the other through the primary; SIGHUP
// reloads every worker, a killed worker is replaced, SIGTERM drains them all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { startLoad } from '../helpers/load.js';
import { fleetUpstreams, SPREAD_ROUTING, sleep } from '../helpers/ops.js';

let fleet: Fleet;
let dir: string;
let sy: SwitchyardProcess;

const count = (msg: string) => sy.logs.filter((l) => l.msg === msg).length;

/** GET /status on a fresh connection each time, so the primary hands it to the next worker. */
async function statusOnNewConnection(): Promise<{ header: string; worker: { id: number; pid: number } }> {
  const agent = new Agent({ pipelining: 0 });
  try {
    const res = await request(`${sy.url}/status`, { dispatcher: agent });
    const doc = (await res.body.json()) as { worker: { id: number; pid: number } };
    return { header: String(res.headers['x-switchyard-worker']), worker: doc.worker };
  } finally {
    await agent.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-workers-'));
  fleet = await startFleet({ providers: standardFleet() });
  sy = await startSwitchyard(dir, 'workers', {
    server: { host: '127.0.0.1', port: 0, workers: 2 },
    routing: SPREAD_ROUTING,
    // The region's domain, not each upstream's own breaker, is what trips on the refused calls.
    breakers: { domain: { backoff: '5s', maxBackoff: '5s' }, upstream: { volumeThreshold: 10_000 } },
    // Every call of the batch goes upstream, none is answered from the cache.
    cache: { enabled: false },
    // The idle worker's liveness probes would find a refusing region about as soon as the busy worker's
    // calls do: watched only every 10 s, it is to learn the opening from the primary.
    health: { watchInterval: '10s' },
    chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
  });
  await waitFor(() => count('workers ready') === 1, 10_000, 'both workers listening');
}, 30_000);

afterAll(async () => {
  await sy?.stop();
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server.workers: 2', () => {
  it('serves on both workers, and /status says which one answered', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 12 && seen.size < 2; i++) {
      const { header, worker } = await statusOnNewConnection();
      expect(String(worker.id)).toBe(header);
      seen.set(header, worker.pid);
    }
    expect([...seen.keys()].sort()).toEqual(['1', '2']);
    expect(new Set(seen.values()).size).toBe(2);
  });

  it('shares a domain opening between the workers through the primary', async () => {
    // One keep-alive connection: all of its requests land on one worker. Both two-upstream regions
    // refuse: that worker's calls find them in milliseconds, the other worker's health checks would
    // take seconds. Lava keeps answering.
    // Detection may take seconds on a loaded CI machine; what is asserted is the spread between workers.
    const load = startLoad(sy.url, { clients: 1, maxMs: 10_000 });
    await sleep(300);
    await Promise.all(
      ['us-east-1', 'europe-west1'].map((region) => fleet.setFault({ region }, { kind: 'refuse' })),
    );
    const openings = () =>
      sy.logs.filter(
        (l) =>
          l.msg === 'failure domain breaker' && String(l.domain).startsWith('region:') && l.to === 'open',
      );
    const openedTwice = () => {
      const keys = openings().map((l) => String(l.domain));
      return keys.find((k, i) => keys.indexOf(k) !== i);
    };
    await waitFor(() => openedTwice() !== undefined, 8000, 'both workers to open a region');
    const key = openedTwice()!;
    const [first, second] = openings().filter((l) => l.domain === key);
    expect(Date.parse(second!.time) - Date.parse(first!.time)).toBeLessThanOrEqual(100);
    expect(
      sy.logs.some((l) => l.msg === 'failure domain opened by another fleet member' && l.domain === key),
    ).toBe(true);
    await Promise.all(
      ['us-east-1', 'europe-west1'].map((region) => fleet.setFault({ region }, { kind: 'none' })),
    );
    await load.stop();
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
  });

  it('reloads every worker on SIGHUP', async () => {
    const before = count('config reloaded');
    process.kill(sy.child.pid!, 'SIGHUP');
    await waitFor(() => count('config reloaded') === before + 2, 5000, 'both workers to reload');
  });

  it('replaces a worker that dies', async () => {
    const { worker } = await statusOnNewConnection();
    process.kill(worker.pid, 'SIGKILL');
    await waitFor(() => count('worker died; replacing it') === 1, 5000, 'the primary to notice');
    await waitFor(() => count('workers ready') === 2, 10_000, 'the replacement to listen');
    const pids = new Set<number>();
    for (let i = 0; i < 12 && pids.size < 2; i++) pids.add((await statusOnNewConnection()).worker.pid);
    expect(pids.size).toBe(2);
    expect(pids.has(worker.pid)).toBe(false);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    expect(await sy.stop()).toBe(0);
    expect(count('stopped'), sy.output().slice(-3000)).toBe(2);
  });
});
