// The diversity-caps bench: the same closed-loop read load through Switchyard (a real, pinned child
// process) over the standard fleet, with routing.maxShare off and on, alternating runs so drift on a
// noisy machine hits both alike. Measures who answered (shares by cloud and provider) and latency.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { closedLoopReads, OUTCOME, startLoad } from '../load/driver.js';
import { summarize } from '../load/stats.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { upstreamRefsOf } from '../targets/target.js';

export const CAPS = { cloud: 0.5, provider: 0.4 } as const;

export interface CapsTiming {
  runs: number;
  warmupMs: number;
  measureMs: number;
  clients: number;
  thinkMs: number;
}

export const FULL_CAPS_TIMING: CapsTiming = {
  runs: 3,
  warmupMs: 2000,
  measureMs: 10_000,
  clients: 32,
  thinkMs: 15,
};
export const QUICK_CAPS_TIMING: CapsTiming = {
  runs: 1,
  warmupMs: 500,
  measureMs: 2000,
  clients: 16,
  thinkMs: 15,
};

export interface CapsRun {
  mode: 'off' | 'on';
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  byCloud: Record<string, number>;
  byProvider: Record<string, number>;
}

async function runOnce(
  fleet: Fleet,
  mode: CapsRun['mode'],
  timing: CapsTiming,
  dir: string,
): Promise<CapsRun> {
  mkdirSync(dir, { recursive: true });
  const target = await startSwitchyard(
    {
      upstreams: upstreamRefsOf(fleet),
      dir,
      core: 0,
      chainId: fleet.chain.chainId,
      mode: 'failover',
    },
    { config: mode === 'on' ? { routing: { maxShare: CAPS } } : {} },
  );
  try {
    const totalMs = timing.warmupMs + timing.measureMs;
    const startedAt = performance.timeOrigin + performance.now();
    const rec = await startLoad(
      closedLoopReads({
        url: target.url,
        clients: timing.clients,
        thinkMs: timing.thinkMs,
        durationMs: totalMs,
        timeoutMs: 5000,
        upstreamOf: target.upstreamOf,
      }),
    ).done;
    const measureFrom = startedAt + timing.warmupMs;
    const latencies: number[] = [];
    const cloudOf = new Map(fleet.providers.map((p) => [p.name, p.spec.cloud]));
    const providerOf = new Map(fleet.providers.map((p) => [p.name, p.spec.provider]));
    const byCloud: Record<string, number> = {};
    const byProvider: Record<string, number> = {};
    let failed = 0;
    for (let i = 0; i < rec.n; i++) {
      if (rec.startMs[i]! < measureFrom) continue;
      if (rec.outcome[i] !== OUTCOME.ok) {
        failed++;
        continue;
      }
      latencies.push(rec.latencyUs[i]! / 1000);
      const name = rec.upstreamNames[rec.upstream[i]!] ?? '';
      const cloud = cloudOf.get(name) ?? 'unknown';
      const provider = providerOf.get(name) ?? 'unknown';
      byCloud[cloud] = (byCloud[cloud] ?? 0) + 1;
      byProvider[provider] = (byProvider[provider] ?? 0) + 1;
    }
    const answered = latencies.length;
    for (const into of [byCloud, byProvider])
      for (const k of Object.keys(into)) into[k] = into[k]! / answered;
    const s = summarize(latencies);
    return {
      mode,
      requests: answered + failed,
      failed,
      p50Ms: s.p50 ?? 0,
      p99Ms: s.p99 ?? 0,
      byCloud,
      byProvider,
    };
  } finally {
    await target.stop();
  }
}

/** Runs off, on, off, on, … `timing.runs` times each on one fleet; calls `onRun` after each. */
export async function measureCaps(
  timing: CapsTiming,
  dir: string,
  onRun: (run: CapsRun) => void = () => {},
): Promise<CapsRun[]> {
  const fleet = await startFleet({ chainId: 1, blockTimeMs: 250, providers: standardFleet() });
  const runs: CapsRun[] = [];
  try {
    for (let i = 0; i < timing.runs; i++) {
      for (const mode of ['off', 'on'] as const) {
        const run = await runOnce(fleet, mode, timing, join(dir, `${mode}-${i + 1}`));
        runs.push(run);
        onRun(run);
      }
    }
  } finally {
    await fleet.close();
  }
  return runs;
}
