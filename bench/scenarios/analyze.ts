// Turns one scenario run into figures: failed requests, detection, failover and recovery times, calls
// sent into the dead domain, latency per phase and per 100 ms bucket. Pure: no sockets, no clocks.
import { OUTCOME_NAMES, type Recording } from '../load/driver.js';
import { quantileSorted } from '../load/stats.js';
import type { TargetEvent, TargetKind } from '../targets/target.js';
import type { ScenarioRun } from './run.js';

export const BUCKET_MS = 100;
/** The rolling p99 that decides "failed over" spans this many buckets (1 s). */
export const ROLLING_BUCKETS = 10;
/** Failed over: rolling p99 back under this multiple of the baseline p99... */
export const FAILOVER_FACTOR = 2;
/** ...or under the baseline p99 plus this much, whichever is larger (one extra trip to a far region). */
export const FAILOVER_SLACK_MS = 20;
/** Requests slower than this count as "slow": what a user notices, and what a p99 can hide. */
export const SLOW_MS = 500;

interface PhaseStats {
  requests: number;
  failed: number;
  failedBy: Record<string, number>;
  /** Successful answers that were nevertheless wrong: stale head, or from the wrong chain. */
  badAnswers: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Requests (failed or not) that took longer than SLOW_MS. */
  slow: number;
  /** Share of answers that came from the providers the fault hits. */
  hitShare: number | null;
}

interface Bucket {
  /** Bucket start, ms relative to the fault start. */
  tMs: number;
  n: number;
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  target: TargetKind;
  /** The failure domain the scenario takes down (Switchyard key), if any. */
  domain: string | null;
  healthyDomainRemains: boolean;
  expectNoEject: boolean;
  /** Names of the upstreams the fault hits. */
  hit: string[];
  faultMs: number;
  baselineMs: number;
  afterMs: number;
  /** Requests in the measured window (after warm-up). */
  requests: number;
  failed: number;
  badAnswers: number;
  warmupFailed: number;
  phases: { before: PhaseStats; during: PhaseStats; after: PhaseStats };
  /** Time from fault start until the target shut the faulty part out (see detectHow). */
  detectMs: number | null;
  detectHow: string;
  failoverMs: number | null;
  baselineP99Ms: number | null;
  /** JSON-RPC calls the hit providers received during the fault (traffic, retries and health checks). */
  deadCallsDuringFault: number;
  /** Of those, received after detection. */
  deadCallsAfterDetect: number | null;
  /** Time from the fault's end until a hit provider answered a client request again. */
  recoverMs: number | null;
  /** Domain breaker opens of the scenario's domain during the run (Switchyard). */
  domainOpens: number | null;
  steps: { tMs: number; label: string }[];
  events: { tMs: number; kind: TargetEvent['kind']; key: string; detail?: string }[];
  buckets: Bucket[];
  callsByProvider: Record<string, number>;
  status: { label: string; tMs: number; domains: unknown; upstreams: unknown }[];
  evidence: string[];
  /** CPU-seconds other processes on the machine used during this run. */
  foreignCpuSec: number | null;
}

function latencyMs(rec: Recording, idx: number[]): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = rec.latencyUs[idx[k]!]! / 1000;
  return out.sort();
}

const round = (v: number | undefined | null, digits = 1): number | null =>
  v === undefined || v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;

function isBad(run: ScenarioRun, hitIds: Set<number>, i: number): boolean {
  const rec = run.recording;
  if (rec.outcome[i] !== 0) return false;
  if (rec.stale[i]) return true;
  if (!run.scenario.answersAreWrong) return false;
  const t = rec.startMs[i]!;
  return hitIds.has(rec.upstream[i]!) && t >= run.faultStartMs && t < run.faultEndMs;
}

function phaseStats(run: ScenarioRun, idx: number[], hitIds: Set<number>): PhaseStats {
  const rec = run.recording;
  const failedBy: Record<string, number> = {};
  let failed = 0;
  let bad = 0;
  let fromHit = 0;
  let answered = 0;
  for (const i of idx) {
    const o = rec.outcome[i]!;
    if (o !== 0) {
      failed++;
      const name = OUTCOME_NAMES[o] ?? String(o);
      failedBy[name] = (failedBy[name] ?? 0) + 1;
    } else {
      answered++;
      if (hitIds.has(rec.upstream[i]!)) fromHit++;
      if (isBad(run, hitIds, i)) bad++;
    }
  }
  const lat = latencyMs(rec, idx);
  let slow = 0;
  for (let k = lat.length - 1; k >= 0 && lat[k]! > SLOW_MS; k--) slow++;
  return {
    requests: idx.length,
    failed,
    failedBy,
    badAnswers: bad,
    slow,
    p50Ms: round(quantileSorted(lat, 0.5), 2),
    p99Ms: round(quantileSorted(lat, 0.99), 2),
    maxMs: round(lat.length ? lat[lat.length - 1] : undefined, 2),
    hitShare: answered === 0 ? null : round(fromHit / answered, 3),
  };
}

function buckets(run: ScenarioRun): Bucket[] {
  const rec = run.recording;
  const from = run.warmupEndMs;
  const count = Math.ceil((run.endMs - from) / BUCKET_MS);
  const lists: number[][] = Array.from({ length: Math.max(0, count) }, () => []);
  const failed = new Array<number>(lists.length).fill(0);
  for (let i = 0; i < rec.n; i++) {
    const b = Math.floor((rec.startMs[i]! - from) / BUCKET_MS);
    if (b < 0 || b >= lists.length) continue;
    lists[b]!.push(rec.latencyUs[i]! / 1000);
    if (rec.outcome[i] !== 0) failed[b]!++;
  }
  return lists.map((l, b) => {
    const sorted = Float64Array.from(l).sort();
    return {
      tMs: Math.round(from + b * BUCKET_MS - run.faultStartMs),
      n: l.length,
      failed: failed[b]!,
      p50Ms: round(quantileSorted(sorted, 0.5), 2),
      p99Ms: round(quantileSorted(sorted, 0.99), 2),
    };
  });
}

/** The rolling p99 under which a proxy counts as failed over. */
function failoverThresholdMs(baselineP99Ms: number): number {
  return Math.max(baselineP99Ms * FAILOVER_FACTOR, baselineP99Ms + FAILOVER_SLACK_MS);
}

/**
 * Time after the fault start from which the rolling p99 (over the requests started in the last
 * ROLLING_BUCKETS buckets) stays under failoverThresholdMs(baseline p99) until the fault ends.
 * 0 when it never went above; null when it is still above at the end of the fault.
 */
export function failoverMs(run: ScenarioRun, baselineP99Ms: number | null): number | null {
  if (baselineP99Ms === null) return null;
  const threshold = failoverThresholdMs(baselineP99Ms);
  const rec = run.recording;
  const n = Math.ceil((run.faultEndMs - run.faultStartMs) / BUCKET_MS);
  const lists: number[][] = Array.from({ length: n + ROLLING_BUCKETS }, () => []);
  const origin = run.faultStartMs - ROLLING_BUCKETS * BUCKET_MS;
  for (let i = 0; i < rec.n; i++) {
    const b = Math.floor((rec.startMs[i]! - origin) / BUCKET_MS);
    if (b >= 0 && b < lists.length) lists[b]!.push(rec.latencyUs[i]! / 1000);
  }
  let settledFrom: number | null = 0;
  for (let b = ROLLING_BUCKETS; b < lists.length; b++) {
    const window = Float64Array.from(lists.slice(b - ROLLING_BUCKETS + 1, b + 1).flat()).sort();
    const p99 = quantileSorted(window, 0.99);
    if (p99 !== undefined && p99 > threshold) settledFrom = null;
    else if (settledFrom === null) settledFrom = (b - ROLLING_BUCKETS + 1) * BUCKET_MS;
  }
  return settledFrom;
}

function detection(run: ScenarioRun): { atMs: number | null; how: string } {
  const { scenario } = run;
  const after = run.faultStartMs - 50;
  if (run.target === 'switchyard' && scenario.domain) {
    const open = run.events.find(
      (e) => e.kind === 'domain_open' && e.key === scenario.domain && e.atMs >= after,
    );
    return { atMs: open?.atMs ?? null, how: `${scenario.domain} breaker opened` };
  }
  // Everyone else (and Switchyard without a domain to open): every hit upstream marked down once.
  let last = 0;
  for (const name of run.hitNames) {
    const down = run.events.find((e) => e.kind === 'server_down' && e.key === name && e.atMs >= after);
    if (!down) return { atMs: null, how: 'all hit upstreams marked down' };
    last = Math.max(last, down.atMs);
  }
  return { atMs: last, how: 'all hit upstreams marked down' };
}

function compactStatus(doc: unknown): { domains: unknown; upstreams: unknown } {
  const chain = (doc as { chains?: unknown[] } | undefined)?.chains?.[0] as
    | { domains?: { key: string; state: string; opens: number }[]; upstreams?: Record<string, unknown>[] }
    | undefined;
  return {
    domains: chain?.domains?.map((d) => ({ key: d.key, state: d.state, opens: d.opens })) ?? null,
    upstreams:
      chain?.upstreams?.map((u) => ({
        name: u.name,
        usable: u.usable,
        health: u.health,
        breaker: u.breaker,
        lag: u.lag,
        wrongChain: u.wrongChain,
        throttled: u.throttled,
        lastError: u.lastError,
        attempts: u.attempts,
        failures: u.failures,
      })) ?? null,
  };
}

export function analyze(run: ScenarioRun): ScenarioResult {
  const rec = run.recording;
  const hitIds = new Set<number>();
  for (const name of run.hitNames) {
    const id = rec.upstreamNames.indexOf(name);
    if (id >= 0) hitIds.add(id);
  }
  const warmup = rec.indicesBetween(run.loadStartMs - 1, run.warmupEndMs);
  const before = rec.indicesBetween(run.warmupEndMs, run.faultStartMs);
  const during = rec.indicesBetween(run.faultStartMs, run.faultEndMs);
  const after = rec.indicesBetween(run.faultEndMs, Number.POSITIVE_INFINITY);
  const phases = {
    before: phaseStats(run, before, hitIds),
    during: phaseStats(run, during, hitIds),
    after: phaseStats(run, after, hitIds),
  };
  const warmupFailed = warmup.reduce((n, i) => n + (rec.outcome[i] !== 0 ? 1 : 0), 0);
  const detect = detection(run);
  const baselineP99Ms = phases.before.p99Ms;

  let deadDuring = 0;
  let deadAfter = 0;
  for (const calls of Object.values(run.hitCalls)) {
    for (const t of calls) {
      if (t < run.faultStartMs || t >= run.faultEndMs) continue;
      deadDuring++;
      if (detect.atMs !== null && t > detect.atMs) deadAfter++;
    }
  }

  let recoverMs: number | null = null;
  for (let i = 0; i < rec.n; i++) {
    if (rec.startMs[i]! < run.faultEndMs || rec.outcome[i] !== 0 || !hitIds.has(rec.upstream[i]!)) continue;
    const answeredAt = rec.startMs[i]! + rec.latencyUs[i]! / 1000;
    const t = answeredAt - run.faultEndMs;
    if (recoverMs === null || t < recoverMs) recoverMs = t;
  }

  const rel = (atMs: number) => Math.round(atMs - run.faultStartMs);
  const domainOpens =
    run.target === 'switchyard' && run.scenario.domain
      ? run.events.filter(
          (e) => e.kind === 'domain_open' && e.key === run.scenario.domain && e.atMs >= run.loadStartMs,
        ).length
      : null;
  const evidence = run.logTail.filter(
    (l) =>
      l.includes('breaker') ||
      l.includes('health changed') ||
      l.includes('wrong chain') ||
      l.includes('is DOWN') ||
      l.includes('is UP') ||
      l.includes('temporarily disabled') ||
      l.includes('no live upstreams'),
  );
  return {
    scenario: run.scenario.name,
    title: run.scenario.title,
    target: run.target,
    domain: run.scenario.domain ?? null,
    healthyDomainRemains: run.scenario.healthyDomainRemains,
    expectNoEject: run.scenario.expectNoEject === true,
    hit: run.hitNames,
    faultMs: Math.round(run.faultEndMs - run.faultStartMs),
    baselineMs: Math.round(run.faultStartMs - run.warmupEndMs),
    afterMs: Math.round(run.endMs - run.faultEndMs),
    requests: before.length + during.length + after.length,
    failed: phases.before.failed + phases.during.failed + phases.after.failed,
    badAnswers: phases.before.badAnswers + phases.during.badAnswers + phases.after.badAnswers,
    warmupFailed,
    phases,
    detectMs: detect.atMs === null ? null : Math.round(detect.atMs - run.faultStartMs),
    detectHow: detect.how,
    failoverMs: failoverMs(run, baselineP99Ms),
    baselineP99Ms,
    deadCallsDuringFault: deadDuring,
    deadCallsAfterDetect: detect.atMs === null ? null : deadAfter,
    recoverMs: round(recoverMs, 0),
    domainOpens,
    steps: run.steps.map((s) => ({ tMs: rel(s.atMs), label: s.label })),
    events: run.events
      .filter((e) => e.atMs >= run.loadStartMs)
      .slice(0, 200)
      .map((e) => ({
        tMs: rel(e.atMs),
        kind: e.kind,
        key: e.key,
        ...(e.detail ? { detail: e.detail } : {}),
      })),
    buckets: buckets(run),
    callsByProvider: run.callsByProvider,
    status: run.status.map((s) => ({ label: s.label, tMs: rel(s.atMs), ...compactStatus(s.doc) })),
    evidence: evidence.slice(-60),
    foreignCpuSec: run.foreignCpuSec,
  };
}
