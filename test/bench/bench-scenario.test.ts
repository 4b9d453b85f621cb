// The load driver on real sockets (outcomes, bounds, upstream attribution) and one tiny outage
// scenario end to end through the built balancer as a child process (needs `tsc` output in dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME, startLoad } from '../../bench/load/driver.js';
import { readMix } from '../../bench/load/mix.js';
import { analyze } from '../../bench/scenarios/analyze.js';
import { scenarioByName } from '../../bench/scenarios/catalog.js';
import { runScenario, type Timing } from '../../bench/scenarios/run.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';

let chain: ChainSim;
let provider: FakeProvider;

beforeAll(async () => {
  chain = new ChainSim({ chainId: 1, startBlock: 100 });
  provider = await startFakeProvider({ name: 'p', chain });
});

afterAll(async () => {
  await provider.close();
});

describe('load driver', () => {
  it('closed loop: bounded by count, records outcome, latency and stale heads', async () => {
    await provider.setFault({ kind: 'none' });
    const run = startLoad({
      url: provider.url,
      mix: readMix(2),
      clients: 4,
      maxRequests: 200,
      durationMs: 5000,
      timeoutMs: 1000,
      upstreamOf: () => 'p',
      headAt: () => chain.head + 10, // every head-bearing answer is 10 blocks "behind"
      staleAfterBlocks: 5,
    });
    const rec = await run.done;
    expect(rec.n).toBe(200);
    let stale = 0;
    for (let i = 0; i < rec.n; i++) {
      expect(rec.outcome[i]).toBe(OUTCOME.ok);
      expect(rec.latencyUs[i]).toBeGreaterThan(0);
      expect(rec.upstreamNames[rec.upstream[i]!]).toBe('p');
      stale += rec.stale[i]!;
    }
    // eth_blockNumber and eth_getBlockByNumber carry a head: 40% of the mix.
    expect(stale).toBeGreaterThan(40);
    expect(stale).toBeLessThan(120);
  });

  it('open loop: bounded by duration; errors and timeouts are failures', async () => {
    await provider.setFault({ kind: 'http_status', status: 503 });
    const rec = await startLoad({
      url: provider.url,
      mix: readMix(),
      ratePerSec: 200,
      maxRequests: 10_000,
      durationMs: 300,
      timeoutMs: 1000,
    }).done;
    expect(rec.n).toBeGreaterThan(40);
    expect(rec.n).toBeLessThan(80);
    for (let i = 0; i < rec.n; i++) expect(rec.outcome[i]).toBe(OUTCOME.httpError);

    await provider.setFault({ kind: 'hang' });
    const hung = await startLoad({
      url: provider.url,
      mix: readMix(),
      clients: 2,
      maxRequests: 2,
      durationMs: 2000,
      timeoutMs: 200,
    }).done;
    expect(hung.n).toBe(2);
    expect(hung.outcome[0]).toBe(OUTCOME.timeout);
    await provider.setFault({ kind: 'none' });
  });
});

describe('outage scenario through the real balancer', () => {
  it('runs, injects the fault at a known time and analyses the run', async () => {
    const timing: Timing = {
      warmupMs: 200,
      baselineMs: 500,
      afterMs: 600,
      faultScale: 0.1,
      clients: 8,
      thinkMs: 10,
      timeoutMs: 2000,
    };
    const run = await runScenario(
      scenarioByName('region-refuse')!,
      'switchyard',
      timing,
      '/tmp/switchyard-bench-test',
    );
    expect(run.steps.map((s) => s.label)).toEqual(['refuse', 'fault cleared']);
    expect(Math.abs(run.steps[0]!.atMs - run.faultStartMs)).toBeLessThan(50);
    const r = analyze(run);
    expect(r.requests).toBeGreaterThan(100);
    expect(r.phases.before.requests).toBeGreaterThan(0);
    expect(r.phases.during.requests).toBeGreaterThan(0);
    // Before the fault the fastest region answers (the upstream header reached the recording).
    expect(r.phases.before.hitShare).toBeGreaterThan(0);
    expect(r.buckets.length).toBeGreaterThan(10);
    expect(run.status.some((s) => s.label === 'before fault')).toBe(true);
    expect(r.status[0]!.domains).not.toBeNull();
  });
});
