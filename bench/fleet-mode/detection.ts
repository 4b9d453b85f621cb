// Fleet detection time (issue 13): three Switchyard processes on one fake fleet and one redis-server,
// aws/us-east-1 refuses connections (the fault every instance finds at once from its own calls, so the figure is the fleet, not one detector), and the time from the first instance opening the region to the last one
// (from the processes' own log timestamps). Three setups: fleet mode with load on every instance,
// fleet mode with load on the first only (the others learn it from Redis), and no fleet mode with
// load on the first only (the others find it by their health checks, if at all, within the wait).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { startLoad } from '../load/driver.js';
import { readMix } from '../load/mix.js';
import { median, sleep } from '../load/stats.js';
import { spawnChild } from '../proc/child.js';
import { freePort, hasTool } from '../proc/sys.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { type RunningTarget, upstreamRefsOf } from '../targets/target.js';

type DetectionSetup = 'fleet, load on all' | 'fleet, load on one' | 'no fleet, load on one';
const DETECTION_SETUPS: DetectionSetup[] = [
  'fleet, load on all',
  'fleet, load on one',
  'no fleet, load on one',
];
const REGION = 'region:aws/us-east-1';
const INSTANCES = 3;
/** How long a trial waits for every instance to open the region. */
const WAIT_MS = 4000;
/** The region stays down this long after the wait. */
const HOLD_MS = 1500;

export interface DetectionRow {
  setup: DetectionSetup;
  skipped?: string;
  trials?: number;
  /** Trials in which every instance opened the region within the wait. */
  complete?: number;
  /** Fault set → first instance opened, median over trials (ms). */
  firstOpenMs?: number | null;
  /** First instance opened → last instance opened: median and worst over complete trials (ms). */
  spreadMs?: number | null;
  worstSpreadMs?: number | null;
  /** Every trial: fault → first open, and the spread (null: not all opened within the wait). */
  each?: { firstOpenMs: number | null; spreadMs: number | null }[];
}

async function startRedis(dir: string) {
  const port = await freePort();
  const child = spawnChild(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { core: 1 },
  );
  await child.waitForLine((l) => l.includes('Ready to accept connections'), 10_000);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.stop(2000) };
}

/** Waits (bounded) until the region is closed on every instance: each trial starts from a healthy fleet. */
async function regionClosedEverywhere(instances: RunningTarget[], timeoutMs = 15_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  const closed = async (t: RunningTarget) => {
    const doc = (await t.status!()) as { chains: { domains: { key: string; state: string }[] }[] };
    return doc.chains[0]!.domains.find((d) => d.key === REGION)?.state === 'closed';
  };
  while (Date.now() < until) {
    if ((await Promise.all(instances.map(closed))).every(Boolean)) return true;
    await sleep(100);
  }
  return false;
}

async function trial(fleet: Fleet, instances: RunningTarget[], loaded: RunningTarget[]) {
  if (!(await regionClosedEverywhere(instances)))
    throw new Error('the region did not close on every instance');
  const mix = readMix(3);
  const loads = loaded.map((t) =>
    startLoad({
      url: t.url,
      mix,
      clients: 8,
      maxRequests: 1_000_000,
      durationMs: WAIT_MS + HOLD_MS + 1500,
      timeoutMs: 5000,
    }),
  );
  await sleep(500);
  const faultAtMs = Date.now();
  await fleet.setFault({ region: 'us-east-1' }, { kind: 'refuse' });
  const firstOpen = (t: RunningTarget) =>
    t.events.find((e) => e.kind === 'domain_open' && e.key === REGION && e.atMs >= faultAtMs)?.atMs;
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until && instances.some((t) => firstOpen(t) === undefined)) await sleep(20);
  const opens = instances.map(firstOpen);
  // An outage outlasts a back-off: an instance that opened on the fleet's word probes while the
  // region is still down (a region back within one back-off would look like a wrong verdict to it).
  await sleep(HOLD_MS);
  await fleet.setFault({ region: 'us-east-1' }, { kind: 'none' });
  for (const l of loads) l.stop();
  await Promise.all(loads.map((l) => l.done));
  const seen = opens.filter((o): o is number => o !== undefined);
  return {
    firstOpenMs: seen.length ? Math.min(...seen) - faultAtMs : undefined,
    spreadMs: seen.length === instances.length ? Math.max(...seen) - Math.min(...seen) : undefined,
  };
}

export async function runDetection(
  dir: string,
  trials: number,
  onStep: (label: string) => void = () => {},
): Promise<DetectionRow[]> {
  if (!hasTool('redis-server')) {
    return DETECTION_SETUPS.map((setup) => ({ setup, skipped: 'redis-server is not installed' }));
  }
  mkdirSync(dir, { recursive: true });
  const redis = await startRedis(dir);
  const fleet = await startFleet({ providers: standardFleet(), blockTimeMs: 1000 });
  const rows: DetectionRow[] = [];
  try {
    const upstreams = upstreamRefsOf(fleet);
    for (const setup of DETECTION_SETUPS) {
      const fleetMode = setup.startsWith('fleet');
      const instances: RunningTarget[] = [];
      try {
        for (let i = 0; i < INSTANCES; i++) {
          const idir = join(dir, `${setup.replace(/[^a-z]+/g, '-')}-${i}`);
          mkdirSync(idir, { recursive: true });
          instances.push(
            await startSwitchyard(
              { upstreams, dir: idir, core: 0, chainId: fleet.chain.chainId, mode: 'failover' },
              {
                config: {
                  // Load spread over every upstream (as in the tests): the failing region carries
                  // traffic wherever the latency estimates put the cheapest upstream.
                  routing: { inFlightScale: 1 },
                  ...(fleetMode ? { fleet: { redis: redis.url, name: 'bench' } } : {}),
                },
              },
            ),
          );
        }
        await sleep(1000);
        const results: { firstOpenMs?: number | undefined; spreadMs?: number | undefined }[] = [];
        for (let n = 0; n < trials; n++) {
          onStep(`${setup} (trial ${n + 1}/${trials})`);
          results.push(
            await trial(fleet, instances, setup.endsWith('all') ? instances : instances.slice(0, 1)),
          );
        }
        const spreads = results.map((r) => r.spreadMs).filter((v): v is number => v !== undefined);
        rows.push({
          setup,
          trials,
          complete: spreads.length,
          firstOpenMs: median(results.map((r) => r.firstOpenMs).filter((v): v is number => v !== undefined)),
          spreadMs: median(spreads),
          worstSpreadMs: spreads.length ? Math.max(...spreads) : null,
          each: results.map((r) => ({ firstOpenMs: r.firstOpenMs ?? null, spreadMs: r.spreadMs ?? null })),
        });
      } catch (err) {
        rows.push({ setup, skipped: `failed: ${(err as Error).message.split('\n')[0]}` });
      } finally {
        await Promise.all(instances.map((t) => t.stop().catch(() => {})));
      }
    }
  } finally {
    await fleet.close();
    await redis.stop();
  }
  return rows;
}
