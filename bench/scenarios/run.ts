// Runs one outage scenario against one system under test: start the fleet and the proxy (a real,
// pinned child process), run steady closed-loop load, apply the fault steps at known times, clear the
// fault, keep the load running to see the recovery, then collect everything the analysis needs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet } from '../../src/simulation/index.js';
import { closedLoopReads, OUTCOME_NAMES, Recording, startLoad } from '../load/driver.js';
import { MIX_METHODS } from '../load/mix.js';
import { epochMs, sleep } from '../load/stats.js';
import { cpuSnapshot, foreignCpuSec } from '../proc/sys.js';
import {
  type RunningTarget,
  startTarget,
  type TargetEvent,
  type TargetKind,
  upstreamRefsOf,
} from '../targets/index.js';
import type { Scenario } from './catalog.js';

export interface Timing {
  warmupMs: number;
  baselineMs: number;
  afterMs: number;
  /** Multiplies every fault step time and the fault duration. */
  faultScale: number;
  clients: number;
  thinkMs: number;
  timeoutMs: number;
}

export const FULL_TIMING: Timing = {
  warmupMs: 1000,
  baselineMs: 4000,
  afterMs: 6000,
  faultScale: 1,
  clients: 32,
  thinkMs: 15,
  timeoutMs: 5000,
};

export const QUICK_TIMING: Timing = {
  warmupMs: 250,
  baselineMs: 1000,
  afterMs: 1500,
  faultScale: 0.25,
  clients: 32,
  thinkMs: 15,
  timeoutMs: 5000,
};

const CHAIN_ID = 1;
const BLOCK_TIME_MS = 250;
/**
 * Answers further behind the chain head (at send time) than this count as stale: Switchyard's default
 * health.maxBlockLag (5) plus one block for the time a new head takes to be seen by anyone.
 */
const STALE_AFTER_BLOCKS = 6;

interface StatusSnapshot {
  label: string;
  atMs: number;
  doc: unknown;
}

export interface ScenarioRun {
  scenario: Scenario;
  target: TargetKind;
  timing: Timing;
  loadStartMs: number;
  warmupEndMs: number;
  faultStartMs: number;
  faultEndMs: number;
  endMs: number;
  /** When each step was applied (epoch ms) with its label. */
  steps: { atMs: number; label: string }[];
  recording: Recording;
  /** Names of the providers the fault hits. */
  hitNames: string[];
  /** Epoch ms of every JSON-RPC call each hit provider received (live traffic and health checks). */
  hitCalls: Record<string, number[]>;
  /** Calls received per provider over the whole run. */
  callsByProvider: Record<string, number>;
  events: TargetEvent[];
  status: StatusSnapshot[];
  logTail: string[];
  /** CPU-seconds other processes on the machine used during this run (noise indicator). */
  foreignCpuSec: number | null;
}

export interface RunHooks {
  /** Called about every 200 ms with the fraction of this run done. */
  onProgress?: (fraction: number) => void;
}

export async function runScenario(
  scenario: Scenario,
  kind: Exclude<TargetKind, 'direct' | 'naive' | 'bare'>,
  timing: Timing,
  dir: string,
  hooks: RunHooks = {},
): Promise<ScenarioRun> {
  const runDir = join(dir, `${scenario.name}-${kind}`);
  mkdirSync(runDir, { recursive: true });
  const cpuBefore = cpuSnapshot();
  const fleet = await startFleet({
    chainId: CHAIN_ID,
    blockTimeMs: BLOCK_TIME_MS,
    providers: scenario.fleet(),
  });
  let target: RunningTarget | undefined;
  let result: ScenarioRun;
  try {
    const hit = typeof scenario.hit === 'string' ? [fleet.get(scenario.hit)] : fleet.byDomain(scenario.hit);
    const hitNames = hit.map((p) => p.name);
    const hitCalls: Record<string, number[]> = {};
    for (const p of hit) {
      const calls: number[] = [];
      hitCalls[p.name] = calls;
      p.onRequest((_method, atMs) => calls.push(atMs));
    }
    const upstreams = upstreamRefsOf(fleet);
    target = await startTarget(kind, {
      upstreams,
      dir: runDir,
      core: 0,
      chainId: CHAIN_ID,
      mode: 'failover',
    });
    for (const p of fleet.providers) p.stats.reset();

    const faultMs = scenario.faultMs * timing.faultScale;
    const totalMs = timing.warmupMs + timing.baselineMs + faultMs + timing.afterMs;
    const loadStartMs = epochMs();
    const warmupEndMs = loadStartMs + timing.warmupMs;
    const faultStartMs = warmupEndMs + timing.baselineMs;
    const faultEndMs = faultStartMs + faultMs;
    const reads = closedLoopReads({
      url: target.url,
      clients: timing.clients,
      thinkMs: timing.thinkMs,
      durationMs: totalMs,
      timeoutMs: timing.timeoutMs,
      upstreamOf: target.upstreamOf,
    });
    const run = startLoad({
      ...reads,
      headAt: scenario.checkStale ? () => fleet.chain.head : undefined,
      staleAfterBlocks: STALE_AFTER_BLOCKS,
      recording: new Recording(reads.maxRequests),
    });

    const steps: { atMs: number; label: string }[] = [];
    const status: StatusSnapshot[] = [];
    const timers: NodeJS.Timeout[] = [];
    const at = (offsetMs: number, fn: () => void) => {
      timers.push(setTimeout(fn, Math.max(0, loadStartMs + offsetMs - epochMs())));
    };
    const pending: Promise<unknown>[] = [];
    const snapshot = (label: string) => {
      if (!target?.status) return;
      const atMs = epochMs();
      pending.push(
        target
          .status()
          .then((doc) => status.push({ label, atMs, doc }))
          .catch(() => {}),
      );
    };
    const faultOffset = timing.warmupMs + timing.baselineMs;
    at(faultOffset - 200, () => snapshot('before fault'));
    for (const step of scenario.steps) {
      at(faultOffset + step.atMs * timing.faultScale, () => {
        steps.push({ atMs: epochMs(), label: step.label });
        pending.push(fleet.setFault(step.target ?? scenario.hit, step.fault).catch(() => {}));
      });
    }
    at(faultOffset + Math.min(1500, faultMs / 2), () => snapshot('during fault'));
    at(faultOffset + faultMs - 100, () => snapshot('end of fault'));
    at(faultOffset + faultMs, () => {
      steps.push({ atMs: epochMs(), label: 'fault cleared' });
      const targets = new Set([scenario.hit, ...scenario.steps.map((s) => s.target ?? scenario.hit)]);
      for (const t of targets) pending.push(fleet.setFault(t, { kind: 'none' }).catch(() => {}));
    });
    at(totalMs - 100, () => snapshot('end of run'));
    const progress = setInterval(
      () => hooks.onProgress?.(Math.min(1, (epochMs() - loadStartMs) / totalMs)),
      200,
    );
    progress.unref();

    const recording = await run.done;
    writeRequestLog(join(runDir, 'requests.csv'), recording, faultStartMs);
    clearInterval(progress);
    for (const t of timers) clearTimeout(t);
    await Promise.all(pending);
    const endMs = epochMs();
    const callsByProvider: Record<string, number> = {};
    for (const p of fleet.providers) callsByProvider[p.name] = p.stats.requests;
    result = {
      scenario,
      target: kind,
      timing,
      loadStartMs,
      warmupEndMs,
      faultStartMs,
      faultEndMs,
      endMs,
      steps,
      recording,
      hitNames,
      hitCalls,
      callsByProvider,
      events: [...target.events],
      status,
      logTail: target.logTail(400),
      foreignCpuSec: null,
    };
  } finally {
    await target?.stop().catch(() => {});
    await fleet.close();
    await sleep(50);
  }
  // The proxy has exited and been reaped: its CPU now counts as ours.
  result.foreignCpuSec = foreignCpuSec(cpuBefore, cpuSnapshot());
  return result;
}

/** Every request of the run (kept with --keep-work): when it started relative to the fault, how long it
 * took, which upstream answered and its outcome, for questions the report's figures do not answer. */
function writeRequestLog(file: string, rec: Recording, faultStartMs: number): void {
  const rows = ['start_ms_from_fault,latency_ms,upstream,outcome,method'];
  for (let i = 0; i < rec.n; i++) {
    const upstream = rec.upstreamNames[rec.upstream[i]!] ?? '';
    const latency = (rec.latencyUs[i]! / 1000).toFixed(3);
    const outcome = OUTCOME_NAMES[rec.outcome[i]!];
    rows.push(
      `${(rec.startMs[i]! - faultStartMs).toFixed(1)},${latency},${upstream},${outcome},${MIX_METHODS[rec.method[i]!]}`,
    );
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
}
