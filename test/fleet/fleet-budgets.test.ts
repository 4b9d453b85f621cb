// Budget spend shared by two Switchyard CLI processes over a real redis-server (issue 24): the budget's
// period starts when the first member sees it and B, started later, runs its periods from the same
// start; what A spends shows in B's /status within a few seconds, and once A has spent the budget B
// sends the paid provider nothing either (its reads go to the free one, none fails).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { sleep } from '../helpers/ops.js';
import { pacedLoad } from '../helpers/paced-load.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

let redis: RedisServer;
let dir: string;
let chain: ChainSim;
let paid: FakeProvider;
let free: FakeProvider;
const members: SwitchyardProcess[] = [];

const BUDGET = 300;

function config() {
  return {
    server: { host: '127.0.0.1', port: 0 },
    providers: {
      paid: { budget: { credits: BUDGET, per: '30d' }, weights: { eth_getBalance: 10, default: 1 } },
    },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config ${VAR}, read from the environment
    fleet: { redis: '${REDIS_URL}', name: 'budget-fleet' },
    chains: [
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [
          { name: 'paid', url: paid.url, provider: 'paid', region: 'a' },
          // The free one takes 20 reads a second per member: the rest must go to the paid one.
          {
            name: 'free',
            url: free.url,
            provider: 'free',
            region: 'b',
            rateLimit: { perSecond: 20, burst: 20 },
          },
        ],
      },
    ],
  };
}

async function member(name: string): Promise<SwitchyardProcess> {
  const p = await startSwitchyard(dir, name, config(), { REDIS_URL: redis.url });
  members.push(p);
  return p;
}

async function budgetOf(p: SwitchyardProcess) {
  const doc = (await (await fetch(`${p.url}/status`)).json()) as {
    providers: { name: string; budget: { spent: number; periodStart: string; periodEnd: string } | null }[];
  };
  return doc.providers.find((x) => x.name === 'paid')!.budget!;
}

async function spentOf(p: SwitchyardProcess): Promise<number> {
  return (await budgetOf(p)).spent;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-fleet-budget-'));
  redis = await startRedis();
  chain = new ChainSim({ chainId: 1 });
  paid = await startFakeProvider({ name: 'paid', chain, latencyMs: 1 });
  free = await startFakeProvider({ name: 'free', chain, latencyMs: 10 });
});

afterAll(async () => {
  await Promise.all(members.map((m) => m.stop()));
  await Promise.all([paid?.close(), free?.close()]);
  chain?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('budgets in fleet mode', () => {
  it('shares the spend over Redis: what A spends, B counts, and a spent budget holds for both', async () => {
    const startedAtMs = Date.now();
    const a = await member('a');
    // The first member to see the budget starts its period (not a Unix-epoch boundary)...
    await sleep(1500); // a sync: A's period start is in Redis
    const periodA = await budgetOf(a);
    expect(Date.parse(periodA.periodStart)).toBeGreaterThanOrEqual(startedAtMs);
    expect(Date.parse(periodA.periodEnd) - Date.parse(periodA.periodStart)).toBe(30 * 86_400_000);
    const b = await member('b');
    // ...and a member started later runs its periods from the same start once it synced.
    const started = performance.now();
    let periodB = await budgetOf(b);
    while (periodB.periodStart !== periodA.periodStart && performance.now() - started < 5000) {
      await sleep(100);
      periodB = await budgetOf(b);
    }
    expect(periodB.periodStart).toBe(periodA.periodStart);
    // A spends part of the budget (the fast paid provider takes its reads until the pace is known).
    await pacedLoad(a.url, 10, 1000);
    const spentByA = await spentOf(a);
    expect(spentByA).toBeGreaterThan(0);
    // B learns it from Redis (a sync a second): its view reaches A's within a few seconds.
    const learning = performance.now();
    let seenByB = await spentOf(b);
    while (seenByB < spentByA && performance.now() - learning < 5000) {
      await sleep(100);
      seenByB = await spentOf(b);
    }
    expect(seenByB).toBeGreaterThanOrEqual(spentByA);
    // Both spend until the budget is gone (past the free one's limit, reads must go to the paid one);
    // then neither sends the paid provider a read.
    await Promise.all([pacedLoad(a.url, 50, 3000), pacedLoad(b.url, 50, 3000)]);
    await sleep(2500);
    const [spentA, spentB] = [await spentOf(a), await spentOf(b)];
    // The same fleet total, but for a health probe or two (a credit each) between the two reads.
    expect(Math.abs(spentA - spentB)).toBeLessThanOrEqual(10);
    // Each member stops at its own view of the budget: the fleet overshoots by at most what one
    // member spent between two syncs (a second), never by more than the budget again.
    expect(spentA).toBeLessThanOrEqual(2 * BUDGET);
    expect(spentA).toBeGreaterThan(BUDGET - 20);
    const readsBefore = paid.stats.byMethod.get('eth_getBalance') ?? 0;
    const after = await Promise.all([pacedLoad(a.url, 10, 1000), pacedLoad(b.url, 10, 1000)]);
    // Every read answered by the free one (a burst past its own limit may wait and be OVERLOADED on a
    // busy machine, never sent to the spent provider).
    const answered = after.flat().filter((x) => x.ok);
    expect(answered.length).toBeGreaterThan(10);
    expect(answered.every((x) => x.upstream === 'free')).toBe(true);
    expect(after.flat().every((x) => x.ok || x.error?.includes('-32061'))).toBe(true);
    expect(paid.stats.byMethod.get('eth_getBalance') ?? 0).toBe(readsBefore);
  }, 60_000);
});
