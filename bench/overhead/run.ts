// Overhead and throughput, side by side against the same fake upstream: direct (the floor), nginx,
// HAProxy, the bare Node forwarder (the Node floor), the naive http-proxy and Switchyard, one at a
// time. Each proxy is pinned to core 0; the upstream, the load driver and wrk share core 1. Per
// target: latency at concurrency 1, latency at a fixed moderate rate (open loop), saturation
// throughput (wrk, or the driver when wrk is missing), CPU per 1k requests from /proc/<pid>/stat and
// peak RSS (VmHWM); for Switchyard, the bare forwarder and nginx also a crowd of 2000 connections
// (wrk only), and for the two Node targets the heap allocation per request (allocation.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startLoad } from '../load/driver.js';
import { readMix } from '../load/mix.js';
import { median, sleep, summarize } from '../load/stats.js';
import { spawnChild } from '../proc/child.js';
import { cpuSnapshot, cpuTimeMs, foreignCpuSec, hasTool, procStatusKb } from '../proc/sys.js';
import { type RunningTarget, requiredTool, startTarget, type TargetKind } from '../targets/index.js';
import { repoRoot } from '../targets/switchyard.js';
import { type AllocationFigures, measureAllocation } from './allocation.js';
import { runWrk } from './wrk.js';

export interface OverheadTiming {
  /** Every target is measured once per round, rounds interleaved, so background noise spreads evenly. */
  rounds: number;
  /** At the saturation concurrency (wrk when present): every target measured with its JIT warm. */
  warmupMs: number;
  c1Ms: number;
  c1MaxRequests: number;
  rateMs: number;
  ratePerSec: number;
  saturationMs: number;
  saturationConnections: number;
  /** The crowd: wrk with this many connections, for CROWD_TARGETS only. */
  crowdMs: number;
  crowdConnections: number;
  /** Requests of the allocation run (one per Node target, after the rounds). */
  allocationRequests: number;
}

export const FULL_OVERHEAD: OverheadTiming = {
  rounds: 3,
  warmupMs: 2000,
  c1Ms: 1500,
  c1MaxRequests: 20_000,
  rateMs: 2000,
  ratePerSec: 1000,
  saturationMs: 2000,
  saturationConnections: 32,
  crowdMs: 3000,
  crowdConnections: 2000,
  allocationRequests: 30_000,
};

export const QUICK_OVERHEAD: OverheadTiming = {
  rounds: 1,
  warmupMs: 400,
  c1Ms: 800,
  c1MaxRequests: 5000,
  rateMs: 800,
  ratePerSec: 1000,
  saturationMs: 1000,
  saturationConnections: 32,
  crowdMs: 2000,
  crowdConnections: 2000,
  allocationRequests: 10_000,
};

export const OVERHEAD_TARGETS: TargetKind[] = ['direct', 'nginx', 'haproxy', 'bare', 'naive', 'switchyard'];

/** Measured under a crowd of connections too: Switchyard against the Node floor and nginx. */
export const CROWD_TARGETS: readonly TargetKind[] = ['switchyard', 'bare', 'nginx'];
const ALLOCATION_TARGETS = ['bare', 'switchyard'] as const;

interface CrowdFigures {
  connections: number;
  /** Median over rounds of successful (2xx) requests per second. */
  goodputRps: number;
  goodputRange: [number, number];
  /** Summed over rounds: no answer within wrk's 5 s timeout. */
  timeouts: number;
  /** Summed over rounds: answers other than 2xx (Switchyard's 503 OVERLOADED). */
  statusErrors: number;
  /** Median over rounds. */
  p99Us: number;
}

interface LatencyFigures {
  requests: number;
  failed: number;
  /** Median over rounds of each round's percentile. */
  p50Us: number | null;
  p99Us: number | null;
  /** Lowest and highest per-round p50. */
  p50RangeUs: [number, number] | null;
}

export interface OverheadRow {
  target: TargetKind;
  /** Why the target was not measured (tool missing, start failed). */
  skipped?: string;
  rounds?: number;
  c1?: LatencyFigures;
  rate?: LatencyFigures & { ratePerSec: number; dropped: number };
  saturation?: {
    /** Median over rounds of successful requests per second. */
    rps: number;
    rpsRange: [number, number];
    requests: number;
    errors: number;
    tool: 'wrk' | 'driver';
    p50Us: number;
    p99Us: number;
  };
  /** CPU milliseconds per 1000 requests at the fixed rate and at saturation (all rounds). */
  cpuMsPer1kAtRate?: number | null;
  cpuMsPer1kAtSaturation?: number | null;
  peakRssMb?: number | null;
  crowd?: CrowdFigures;
  allocation?: AllocationFigures;
}

export interface OverheadReport {
  timing: OverheadTiming;
  saturationTool: 'wrk' | 'driver';
  rows: OverheadRow[];
  /** Why an allocation run failed, per target. */
  allocationFailures?: Record<string, string>;
  /** CPU-seconds used by other processes on the machine while this ran (noise indicator). */
  foreignCpuSec: number | null;
  durationSec: number;
}

interface RoundFigures {
  c1: { requests: number; failed: number; p50Us: number | null; p99Us: number | null };
  rate: { requests: number; failed: number; p50Us: number | null; p99Us: number | null; dropped: number };
  sat: { rps: number; requests: number; errors: number; p50Us: number; p99Us: number };
  crowd?: { rps: number; timeouts: number; statusErrors: number; p99Us: number };
  tool: 'wrk' | 'driver';
  cpuRateMs: number | undefined;
  cpuSatMs: number | undefined;
  rssKb: number | undefined;
}

function figures(latencyUs: Float64Array, outcome: Uint8Array, n: number) {
  const ok: number[] = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    if (outcome[i] === 0) ok.push(latencyUs[i]!);
    else failed++;
  }
  const s = summarize(ok);
  const r = (v: number | undefined) => (v === undefined ? null : Math.round(v));
  return { requests: n, failed, p50Us: r(s.p50), p99Us: r(s.p99) };
}

async function measureRound(
  url: string,
  pid: number | undefined,
  timing: OverheadTiming,
  dir: string,
  useWrk: boolean,
  withCrowd: boolean,
): Promise<RoundFigures> {
  const mix = readMix(3);
  const base = { url, mix, timeoutMs: 5000 };
  // Warm-up: JIT, connection pools, upstream keep-alive. At the saturation concurrency: a proxy is judged
  // on its steady state, and a short light warm-up counts more of the optimizing compiler's work
  // against targets with more code (Switchyard) than against nginx or the bare forwarder.
  if (useWrk) {
    await runWrk(url, {
      connections: timing.saturationConnections,
      durationMs: timing.warmupMs,
      maxRequests: 2_000_000,
      dir,
      core: 1,
    });
  } else {
    const clients = timing.saturationConnections;
    await startLoad({ ...base, clients, maxRequests: 200_000, durationMs: timing.warmupMs }).done;
  }

  const c1 = await startLoad({
    ...base,
    clients: 1,
    maxRequests: timing.c1MaxRequests,
    durationMs: timing.c1Ms,
  }).done;

  const cpu0 = pid === undefined ? undefined : cpuTimeMs(pid);
  const rate = await startLoad({
    ...base,
    ratePerSec: timing.ratePerSec,
    maxInFlight: 64,
    maxRequests: Math.ceil((timing.ratePerSec * timing.rateMs) / 1000) + 10,
    durationMs: timing.rateMs,
  }).done;
  const cpu1 = pid === undefined ? undefined : cpuTimeMs(pid);

  let sat: RoundFigures['sat'];
  if (useWrk) {
    const w = await runWrk(url, {
      connections: timing.saturationConnections,
      durationMs: timing.saturationMs,
      maxRequests: 2_000_000,
      dir,
      core: 1,
    });
    sat = { rps: Math.round(w.rps), requests: w.requests, errors: w.errors, p50Us: w.p50Us, p99Us: w.p99Us };
  } else {
    const t0 = performance.now();
    const rec = await startLoad({
      ...base,
      clients: timing.saturationConnections,
      maxRequests: 2_000_000,
      durationMs: timing.saturationMs,
    }).done;
    const seconds = (performance.now() - t0) / 1000;
    const f = figures(rec.latencyUs, rec.outcome, rec.n);
    sat = {
      rps: Math.round((rec.n - f.failed) / seconds),
      requests: rec.n,
      errors: f.failed,
      p50Us: f.p50Us ?? 0,
      p99Us: f.p99Us ?? 0,
    };
  }
  const cpu2 = pid === undefined ? undefined : cpuTimeMs(pid);
  let crowd: RoundFigures['crowd'];
  if (useWrk && withCrowd) {
    const w = await runWrk(url, {
      connections: timing.crowdConnections,
      durationMs: timing.crowdMs,
      maxRequests: 2_000_000,
      dir,
      core: 1,
    });
    // Goodput: completed 2xx answers. wrk's error total also counts socket errors that were never a
    // completed request, which can exceed the requests under a crowd.
    const goodput = Math.max(0, w.requests - w.statusErrors) / (w.durationMs / 1000);
    crowd = { rps: Math.round(goodput), timeouts: w.timeouts, statusErrors: w.statusErrors, p99Us: w.p99Us };
  }
  return {
    c1: figures(c1.latencyUs, c1.outcome, c1.n),
    rate: { ...figures(rate.latencyUs, rate.outcome, rate.n), dropped: rate.dropped },
    sat,
    ...(crowd ? { crowd } : {}),
    tool: useWrk ? 'wrk' : 'driver',
    cpuRateMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
    cpuSatMs: cpu1 !== undefined && cpu2 !== undefined ? cpu2 - cpu1 : undefined,
    rssKb: pid === undefined ? undefined : procStatusKb(pid, 'VmHWM'),
  };
}

function combineLatency(list: RoundFigures['c1'][]): LatencyFigures {
  const p50s = list.map((f) => f.p50Us).filter((v): v is number => v !== null);
  return {
    requests: list.reduce((n, f) => n + f.requests, 0),
    failed: list.reduce((n, f) => n + f.failed, 0),
    p50Us: median(p50s),
    p99Us: median(list.map((f) => f.p99Us).filter((v): v is number => v !== null)),
    p50RangeUs: p50s.length ? [Math.min(...p50s), Math.max(...p50s)] : null,
  };
}

function combineRounds(target: TargetKind, rounds: RoundFigures[], ratePerSec: number): OverheadRow {
  const per1k = (cpu: (number | undefined)[], requests: number) => {
    if (cpu.some((c) => c === undefined) || requests === 0) return null;
    const total = (cpu as number[]).reduce((a, b) => a + b, 0);
    return Math.round((total * 1000 * 100) / requests) / 100;
  };
  const rpss = rounds.map((r) => r.sat.rps);
  const rss = rounds.map((r) => r.rssKb).filter((v): v is number => v !== undefined);
  const crowds = rounds.map((r) => r.crowd).filter((c): c is NonNullable<RoundFigures['crowd']> => !!c);
  const goodputs = crowds.map((c) => c.rps);
  return {
    target,
    rounds: rounds.length,
    c1: combineLatency(rounds.map((r) => r.c1)),
    rate: {
      ...combineLatency(rounds.map((r) => r.rate)),
      ratePerSec,
      dropped: rounds.reduce((n, r) => n + r.rate.dropped, 0),
    },
    saturation: {
      rps: median(rpss) ?? 0,
      rpsRange: [Math.min(...rpss), Math.max(...rpss)],
      requests: rounds.reduce((n, r) => n + r.sat.requests, 0),
      errors: rounds.reduce((n, r) => n + r.sat.errors, 0),
      tool: rounds[0]?.tool ?? 'driver',
      p50Us: median(rounds.map((r) => r.sat.p50Us)) ?? 0,
      p99Us: median(rounds.map((r) => r.sat.p99Us)) ?? 0,
    },
    cpuMsPer1kAtRate: per1k(
      rounds.map((r) => r.cpuRateMs),
      rounds.reduce((n, r) => n + r.rate.requests, 0),
    ),
    cpuMsPer1kAtSaturation: per1k(
      rounds.map((r) => r.cpuSatMs),
      rounds.reduce((n, r) => n + r.sat.requests, 0),
    ),
    peakRssMb: rss.length ? Math.round(Math.max(...rss) / 102.4) / 10 : null,
    ...(crowds.length
      ? {
          crowd: {
            connections: 0,
            goodputRps: median(goodputs) ?? 0,
            goodputRange: [Math.min(...goodputs), Math.max(...goodputs)] as [number, number],
            timeouts: crowds.reduce((n, c) => n + c.timeouts, 0),
            statusErrors: crowds.reduce((n, c) => n + c.statusErrors, 0),
            p99Us: median(crowds.map((c) => c.p99Us)) ?? 0,
          },
        }
      : {}),
  };
}

export async function runOverhead(
  timing: OverheadTiming,
  dir: string,
  targets: TargetKind[] = OVERHEAD_TARGETS,
  onStep: (label: string, index: number, total: number) => void = () => {},
): Promise<OverheadReport> {
  const odir = join(dir, 'overhead');
  mkdirSync(odir, { recursive: true });
  const started = performance.now();
  const cpuBefore = cpuSnapshot();
  const useWrk = hasTool('wrk');
  const upstreamMain = join(repoRoot(), 'dist', 'bench', 'overhead', 'upstream-main.js');
  const upstream = spawnChild('overhead-upstream', process.execPath, [upstreamMain], { core: 1 });
  const measured = new Map<TargetKind, RoundFigures[]>();
  const skipped = new Map<TargetKind, string>();
  const allocations = new Map<TargetKind, AllocationFigures>();
  const allocationFailures = new Map<TargetKind, string>();
  try {
    const ready = await upstream.waitForLine((l) => l.includes('"msg":"listening"'), 10_000);
    const port = (JSON.parse(ready.line) as { port: number }).port;
    const upstreams = [
      { name: 'upstream', host: '127.0.0.1', port, cloud: 'local', region: 'local', provider: 'fake' },
    ];
    let step = 0;
    for (let round = 0; round < timing.rounds; round++) {
      for (const kind of targets) {
        onStep(
          `${kind}${timing.rounds > 1 ? ` (round ${round + 1}/${timing.rounds})` : ''}`,
          step++,
          targets.length * timing.rounds,
        );
        if (skipped.has(kind)) continue;
        const tool = requiredTool(kind);
        if (tool && !hasTool(tool)) {
          skipped.set(kind, `${tool} is not installed`);
          continue;
        }
        let target: RunningTarget | undefined;
        try {
          if (kind !== 'direct') {
            target = await startTarget(kind, { upstreams, dir: odir, core: 0, chainId: 1, mode: 'overhead' });
          }
          const url = target?.url ?? `http://127.0.0.1:${port}/`;
          const withCrowd = CROWD_TARGETS.includes(kind);
          const figuresOfRound = await measureRound(url, target?.pid, timing, odir, useWrk, withCrowd);
          measured.set(kind, [...(measured.get(kind) ?? []), figuresOfRound]);
        } catch (err) {
          skipped.set(kind, `failed: ${(err as Error).message.split('\n')[0]}`);
        } finally {
          await target?.stop().catch(() => {});
          await sleep(200);
        }
      }
    }
    for (const kind of ALLOCATION_TARGETS) {
      if (!targets.includes(kind) || skipped.has(kind)) continue;
      onStep(`${kind} (allocation)`, step++, targets.length * timing.rounds + ALLOCATION_TARGETS.length);
      try {
        allocations.set(kind, await measureAllocation(kind, upstreams, odir, timing.allocationRequests));
      } catch (err) {
        allocationFailures.set(kind, (err as Error).message.split('\n')[0]!);
      }
      await sleep(200);
    }
  } finally {
    await upstream.stop();
  }
  const rows: OverheadRow[] = targets.map((kind) => {
    const reason = skipped.get(kind);
    const rounds = measured.get(kind) ?? [];
    if (rounds.length === 0) return { target: kind, skipped: reason ?? 'not measured' };
    const row = combineRounds(kind, rounds, timing.ratePerSec);
    if (row.crowd) row.crowd.connections = timing.crowdConnections;
    const allocation = allocations.get(kind);
    if (allocation) row.allocation = allocation;
    return row;
  });
  return {
    timing,
    ...(allocationFailures.size ? { allocationFailures: Object.fromEntries(allocationFailures) } : {}),
    saturationTool: useWrk ? 'wrk' : 'driver',
    rows,
    foreignCpuSec: foreignCpuSec(cpuBefore, cpuSnapshot()),
    durationSec: Math.round((performance.now() - started) / 100) / 10,
  };
}
