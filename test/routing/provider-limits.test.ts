// Rate limits and budgets through the CLI (issue 24), under load, with fake upstreams:
// - a provider limit in credits (weights) and an upstream limit in requests are never crossed, health
//   probes included; with every candidate at its limit the excess waits and then fails OVERLOADED;
// - a budget: the provider gets no reads once spent while another upstream answers (no failed read),
//   /status and /metrics show spend, remaining and projected exhaustion, and the spend survives a
//   restart (the state file beside the config).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { parseProm, total } from '../helpers/ops.js';
import { pacedLoad } from '../helpers/paced-load.js';

let dir: string;
let chain: ChainSim;
let fast: FakeProvider;
let slow: FakeProvider;
const running: SwitchyardProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-limits-'));
  chain = new ChainSim({ chainId: 1 });
  fast = await startFakeProvider({ name: 'fast', chain, latencyMs: 1 });
  slow = await startFakeProvider({ name: 'slow', chain, latencyMs: 10 });
});

// Each test's instances stop with it: their health probes would count at the next test's providers.
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close()]);
  chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, config: unknown): Promise<SwitchyardProcess> {
  const p = await startSwitchyard(dir, name, config);
  running.push(p);
  return p;
}

async function status(url: string) {
  return (await (await fetch(`${url}/status`)).json()) as {
    providers: {
      name: string;
      budget: {
        credits: number;
        spent: number;
        remaining: number;
        exhausted: boolean;
        projectedExhaustion: string | null;
      } | null;
    }[];
  };
}

describe('rate limits', () => {
  it('never sends a provider or an upstream more than its limit; the excess is OVERLOADED', async () => {
    fast.stats.reset();
    slow.stats.reset();
    const sy = await start('limits', {
      server: { host: '127.0.0.1', port: 0 },
      routing: { autoTune: false, maxQueueWait: '300ms' },
      providers: {
        // eth_getBalance costs 2 credits: 40 credits a second are 20 reads.
        metered: { rateLimit: { perSecond: 40, burst: 40 }, weights: { eth_getBalance: 2, default: 1 } },
      },
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
          upstreams: [
            { name: 'fast', url: fast.url, provider: 'metered', region: 'a' },
            {
              name: 'slow',
              url: slow.url,
              provider: 'other',
              region: 'b',
              rateLimit: { perSecond: 30, burst: 30 },
            },
          ],
        },
      ],
    });
    fast.stats.reset();
    slow.stats.reset();
    const startedAt = performance.now();
    const answers = await pacedLoad(sy.url, 100, 5000);
    // A token bucket sends at most its rate over any span, plus its burst.
    const seconds = (performance.now() - startedAt) / 1000;
    // Credits sent to the metered provider (health probes cost its default weight) and requests to slow.
    const credits =
      2 * (fast.stats.byMethod.get('eth_getBalance') ?? 0) +
      (fast.stats.requests - (fast.stats.byMethod.get('eth_getBalance') ?? 0));
    expect(credits).toBeLessThanOrEqual(40 * seconds + 40);
    expect(slow.stats.requests).toBeLessThanOrEqual(30 * seconds + 30);
    expect(credits).toBeGreaterThan(40 * seconds * 0.7);
    const ok = answers.filter((a) => a.ok).length;
    const overloaded = answers.filter((a) => !a.ok && a.error?.includes('-32061')).length;
    // Together they carry about 50 reads a second of the 100 offered; the rest is OVERLOADED, nothing else.
    expect(ok).toBeGreaterThan(200);
    expect(overloaded).toBeGreaterThan(0);
    expect(ok + overloaded).toBe(answers.length);
    expect(answers.find((a) => !a.ok)?.error).toContain('rate limit');
    expect(await sy.stop()).toBe(0);
  }, 30_000);
});

describe('budgets', () => {
  const budgetConfig = () => ({
    server: { host: '127.0.0.1', port: 0 },
    providers: { paid: { budget: { credits: 50, per: '30d' }, weights: { eth_getBalance: 10, default: 1 } } },
    chains: [
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [
          { name: 'fast', url: fast.url, provider: 'paid', region: 'a' },
          { name: 'slow', url: slow.url, provider: 'free', region: 'b' },
        ],
      },
    ],
  });

  it('stops sending to a spent provider without failing a read, shows it, and keeps it over a restart', async () => {
    const config = budgetConfig();
    fast.stats.reset();
    const sy = await start('budget', config);
    // The fast paid provider takes the first reads, 10 credits each: its small budget is spent within
    // the first tenth of a second; from then on everything goes to the free one.
    const answers = await pacedLoad(sy.url, 100, 4000);
    expect(answers.filter((a) => !a.ok).slice(0, 3)).toEqual([]);
    // Every request to the paid provider costs credits (probes too): never more than the budget.
    const reads = fast.stats.byMethod.get('eth_getBalance') ?? 0;
    expect(reads).toBeGreaterThan(0);
    expect(
      10 * reads + (fast.stats.requests - reads),
      JSON.stringify([...fast.stats.byMethod]),
    ).toBeLessThanOrEqual(50);
    expect(answers.filter((a) => a.upstream === 'slow').length).toBeGreaterThan(300);
    const paid = (await status(sy.url)).providers.find((p) => p.name === 'paid')!.budget!;
    expect(paid.spent).toBeLessThanOrEqual(50);
    expect(paid.remaining).toBeLessThan(10);
    const metrics = parseProm(await (await fetch(`${sy.url}/metrics`)).text());
    expect(total(metrics, 'switchyard_provider_budget_spent_credits', { provider: 'paid' })).toBe(paid.spent);
    expect(total(metrics, 'switchyard_provider_budget_remaining_credits', { provider: 'paid' })).toBe(
      paid.remaining,
    );
    expect(await sy.stop()).toBe(0);
    const stateFile = join(dir, 'budget.state.json');
    expect(existsSync(stateFile)).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).budgets.paid.spent).toBe(paid.spent);

    // Restarted: the spend is still there, and the paid provider still gets nothing.
    fast.stats.reset();
    const again = await start('budget', config);
    const kept = (await status(again.url)).providers.find((p) => p.name === 'paid')!.budget!;
    expect(kept.spent).toBeGreaterThanOrEqual(paid.spent);
    const after = await pacedLoad(again.url, 50, 2000);
    expect(after.every((a) => a.ok && a.upstream === 'slow')).toBe(true);
    expect(fast.stats.byMethod.get('eth_getBalance') ?? 0).toBe(0);
    // Probes only, within what was left (under 10 credits).
    expect(fast.stats.requests).toBeLessThan(10);
    expect(await again.stop()).toBe(0);
  }, 40_000);

  it('paces a budget: a projected overspend shows an exhaustion time and prefers the provider less', async () => {
    fast.stats.reset();
    const sy = await start('pacing', {
      ...budgetConfig(),
      providers: { paid: { budget: { credits: 100_000, per: '30d' } } },
    });
    await pacedLoad(sy.url, 50, 3000);
    const paid = (await status(sy.url)).providers.find((p) => p.name === 'paid')!.budget! as unknown as {
      projectedExhaustion: string | null;
      pacing: number;
    };
    // Tens of credits a second against 100 000 a month: the budget would run out within days.
    expect(paid.projectedExhaustion).not.toBeNull();
    expect(paid.pacing).toBeGreaterThan(1);
  }, 20_000);
});
