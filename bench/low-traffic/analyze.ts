// Turns one low-traffic run (one target × fault × read rate) into its row: failed reads, latency of
// the reads started during the fault against the baseline, detection (when the target shut the
// faulty part out, by the signal that target has), recovery (reads answered by a healed upstream
// again, and the target's own "back in rotation" signal), and the probe traffic each upstream got
// while no reads flowed. Pure: no sockets, no clocks; every input is a plain record.
import { OUTCOME, OUTCOME_NAMES, type Recording } from '../load/driver.js';
import { MIX_METHODS } from '../load/mix.js';
import { quantileSorted } from '../load/stats.js';
import type { TargetEvent } from '../targets/target.js';
import type { LowTrafficChain, LowTrafficFaultName, LowTrafficTarget } from './plan.js';

export interface ReadRecord {
  /** Epoch ms the read was started. */
  startMs: number;
  /** Until the answer, the failure or the client timeout. */
  latencyMs: number;
  ok: boolean;
  /** The upstream that answered (proxies: response header; clients: their own transport); null if unknown. */
  upstream: string | null;
  method: string;
  /** Why it failed (timeout, http_error, ECONNREFUSED, …); null when ok. */
  error: string | null;
}

/** One JSON-RPC call an upstream received (the fake providers record every call, whatever the fault). */
export interface UpstreamCall {
  upstream: string;
  method: string;
  atMs: number;
}

/** One answer of Switchyard's GET /status, reduced to the fault's domain and the hit members. */
export interface StatusPoll {
  /** Epoch ms the answer arrived. */
  atMs: number;
  /** State of the fault's domain (closed, open, half_open); null when /status did not list it. */
  domainState: string | null;
  /** `usable` of each hit member. */
  usable: Record<string, boolean>;
}

/** The viem fallback's ranked order (most preferred first), each time it changed. */
export interface RankChange {
  atMs: number;
  order: string[];
}

export interface LowTrafficRecord {
  target: LowTrafficTarget;
  fault: LowTrafficFaultName;
  chain: LowTrafficChain;
  /** Reads per second (0: none). */
  level: number;
  /** Epoch ms the target was ready (started, and for the clients their first read done). */
  readyAtMs: number;
  /** Epoch ms: the timeline's start (warm-up), the end of the warm-up, the fault, the heal, the end. */
  loadStartMs: number;
  measureFromMs: number;
  faultStartMs: number;
  faultEndMs: number;
  endMs: number;
  /** Every upstream of the fleet, and those the fault hits. */
  upstreams: string[];
  hit: string[];
  /** The Switchyard failure domain that should open. */
  domain: string;
  reads: ReadRecord[];
  /** Reads the open loop could not start (in-flight cap). */
  droppedReads: number;
  /** What the target said about its upstreams (Switchyard domain breakers, servers marked down/up). */
  events: TargetEvent[];
  statusPolls: StatusPoll[];
  rankings: RankChange[];
  calls: UpstreamCall[];
}

type DetectSource = 'log' | 'status' | 'marked down' | 'rank';

interface Rotation {
  /** ms from the heal until the target's own signal said the hit upstreams are back; null if not. */
  ms: number | null;
  /** back: taken out, then back; not back: still out at the end; never out; no signal: the target has none. */
  state: 'back' | 'not back' | 'never out' | 'no signal';
  how: string;
}

export interface ProbeTraffic {
  windowMs: number;
  /** Per upstream: calls received in the window, per second, and by method. */
  upstreams: Record<string, { calls: number; perSec: number; methods: Record<string, number> }>;
}

interface LowTrafficFigures {
  /** Reads started after the warm-up. */
  reads: number;
  /** Reads started during the fault or in flight when it began. */
  readsInFault: number;
  /** Failed reads after the warm-up (baseline, fault, recovery), and those started during the fault. */
  failed: number;
  failedInFault: number;
  failedBy: Record<string, number>;
  droppedReads: number;
  baselineP99Ms: number | null;
  /**
   * Reads started during the fault or in flight when it began, failed ones included (their time to
   * fail or time out).
   */
  p50InFaultMs: number | null;
  p99InFaultMs: number | null;
  maxInFaultMs: number | null;
  /** The five slowest reads of the fault: when they started (ms from the fault start), how long, who answered. */
  slowestInFault: { tMs: number; latencyMs: number; upstream: string | null }[];
  /** ms from the fault start until the target shut the faulty part out; null: not during the fault. */
  detectMs: number | null;
  detectSource: DetectSource | null;
  detectHow: string;
  /** Switchyard: the domain_open log event and the first /status answer showing it open (ms from the fault). */
  detectLogMs: number | null;
  detectStatusMs: number | null;
  /** ms from the heal until a read started after it was answered by a hit upstream; null: none was. */
  recoverReadMs: number | null;
  rotation: Rotation;
  /** Calls the hit upstreams received during the fault (reads, retries, probes). */
  hitCallsInFault: number;
  /** At 0 reads/s: what each upstream received from the target from its start until the fault. */
  probes: ProbeTraffic | null;
}

interface TimelineEntry {
  /** ms from the fault start. */
  tMs: number;
  what: string;
}

export interface LowTrafficRow {
  target: LowTrafficTarget;
  fault: LowTrafficFaultName;
  chain: LowTrafficChain;
  level: number;
  figures: LowTrafficFigures;
  /** What the target's signals said when (domain and server events, /status changes, ranked order). */
  timeline: TimelineEntry[];
}

const round = (v: number | null | undefined, digits = 2): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;

function latencies(reads: ReadRecord[]): Float64Array {
  return Float64Array.from(reads.map((r) => r.latencyMs)).sort();
}

const within = (t: number, from: number, to: number) => t >= from && t <= to;

interface Detection {
  atMs: number | null;
  source: DetectSource | null;
  how: string;
  logAtMs: number | null;
  statusAtMs: number | null;
}

function switchyardDetection(r: LowTrafficRecord): Detection {
  const log = r.events.find(
    (e) => e.kind === 'domain_open' && e.key === r.domain && within(e.atMs, r.faultStartMs, r.faultEndMs),
  );
  const poll = r.statusPolls.find(
    (p) => p.domainState === 'open' && within(p.atMs, r.faultStartMs, r.faultEndMs),
  );
  const logAtMs = log?.atMs ?? null;
  const statusAtMs = poll?.atMs ?? null;
  let atMs: number | null = null;
  let source: DetectSource | null = null;
  if (logAtMs !== null && (statusAtMs === null || logAtMs <= statusAtMs)) {
    atMs = logAtMs;
    source = 'log';
  } else if (statusAtMs !== null) {
    atMs = statusAtMs;
    source = 'status';
  }
  return {
    atMs,
    source,
    how: `${r.domain} open: the earlier of its domain_open log line and the first /status answer showing it`,
    logAtMs,
    statusAtMs,
  };
}

/** Every hit upstream marked down at least once during the fault: the last of those times. */
function markedDownDetection(r: LowTrafficRecord, how: string): Detection {
  let last = Number.NEGATIVE_INFINITY;
  for (const name of r.hit) {
    const down = r.events.find(
      (e) => e.kind === 'server_down' && e.key === name && within(e.atMs, r.faultStartMs, r.faultEndMs),
    );
    if (!down) return { atMs: null, source: null, how, logAtMs: null, statusAtMs: null };
    last = Math.max(last, down.atMs);
  }
  return { atMs: last, source: 'marked down', how, logAtMs: null, statusAtMs: null };
}

/** The ranked order in force at a time (the last change at or before it). */
export function rankAt(rankings: RankChange[], atMs: number): string[] | null {
  let order: string[] | null = null;
  for (const c of rankings) {
    if (c.atMs > atMs) break;
    order = c.order;
  }
  return order;
}

function rankDetection(r: LowTrafficRecord): Detection {
  const none = { logAtMs: null, statusAtMs: null };
  const top = rankAt(r.rankings, r.faultStartMs)?.[0];
  if (top === undefined) return { atMs: null, source: null, how: 'ranked order not observed', ...none };
  if (!r.hit.includes(top)) {
    return {
      atMs: null,
      source: null,
      how: `${top} (not hit) was ranked first already: the hit upstreams were only tried after it failed`,
      ...none,
    };
  }
  const change = r.rankings.find(
    (c) => within(c.atMs, r.faultStartMs, r.faultEndMs) && !r.hit.includes(c.order[0] ?? ''),
  );
  return {
    atMs: change?.atMs ?? null,
    source: change ? 'rank' : null,
    how: 'its ranking puts an upstream the fault does not hit first',
    ...none,
  };
}

function detection(r: LowTrafficRecord): Detection {
  switch (r.target) {
    case 'switchyard':
      return switchyardDetection(r);
    case 'haproxy':
      return markedDownDetection(r, 'every hit server marked DOWN (its log)');
    case 'nginx':
      return markedDownDetection(r, 'every hit server "temporarily disabled" (its log, after max_fails=2)');
    case 'viem':
      return rankDetection(r);
    case 'ethers':
      return {
        atMs: null,
        source: null,
        how: 'FallbackProvider marks no provider down: errors and stalls are handled per call',
        logAtMs: null,
        statusAtMs: null,
      };
  }
}

function switchyardRotation(r: LowTrafficRecord, detected: boolean): Rotation {
  const usableAll = (p: StatusPoll) => r.hit.every((n) => p.usable[n] === true);
  const out =
    detected ||
    r.statusPolls.some(
      (p) => within(p.atMs, r.faultStartMs, r.faultEndMs) && (p.domainState !== 'closed' || !usableAll(p)),
    );
  const how = '/status: the domain closed and every hit member usable';
  if (!out) return { ms: null, state: 'never out', how: `${how}; neither changed during the fault` };
  const back = r.statusPolls.find(
    (p) => p.atMs >= r.faultEndMs && p.domainState === 'closed' && usableAll(p),
  );
  return back ? { ms: back.atMs - r.faultEndMs, state: 'back', how } : { ms: null, state: 'not back', how };
}

/** Servers marked down and not up again at the heal: back when the last of them is marked up. */
function markedUpRotation(r: LowTrafficRecord): Rotation {
  const how = 'every hit server marked UP again (its log)';
  let last = Number.NEGATIVE_INFINITY;
  let anyDown = false;
  for (const name of r.hit) {
    const mine = r.events.filter(
      (e) => e.key === name && (e.kind === 'server_down' || e.kind === 'server_up'),
    );
    const before = mine.filter((e) => e.atMs < r.faultEndMs && e.atMs >= r.faultStartMs);
    if (before.length === 0 || before[before.length - 1]!.kind !== 'server_down') continue;
    anyDown = true;
    const up = mine.find((e) => e.kind === 'server_up' && e.atMs >= r.faultEndMs);
    if (!up) return { ms: null, state: 'not back', how };
    last = Math.max(last, up.atMs);
  }
  if (!anyDown) return { ms: null, state: 'never out', how };
  return { ms: last - r.faultEndMs, state: 'back', how };
}

function rankRotation(r: LowTrafficRecord, detected: boolean): Rotation {
  const how = 'its ranking puts a hit upstream first again';
  const top = rankAt(r.rankings, r.faultStartMs)?.[0];
  if (top === undefined || !r.hit.includes(top)) {
    return { ms: null, state: 'no signal', how: 'no hit upstream was ranked first before the fault' };
  }
  if (!detected) return { ms: null, state: 'never out', how };
  const back = r.rankings.find((c) => c.atMs >= r.faultEndMs && r.hit.includes(c.order[0] ?? ''));
  return back ? { ms: back.atMs - r.faultEndMs, state: 'back', how } : { ms: null, state: 'not back', how };
}

function rotation(r: LowTrafficRecord, detected: boolean): Rotation {
  switch (r.target) {
    case 'switchyard':
      return switchyardRotation(r, detected);
    case 'haproxy':
      return markedUpRotation(r);
    case 'viem':
      return rankRotation(r, detected);
    case 'nginx':
      return {
        ms: null,
        state: 'no signal',
        how: 'nginx logs nothing when it tries a disabled server again (after fail_timeout=2s)',
      };
    case 'ethers':
      return { ms: null, state: 'no signal', how: 'FallbackProvider keeps no up/down state' };
  }
}

/** Calls per upstream in [fromMs, toMs): what the target sends on its own while no reads flow. */
export function probeTraffic(
  calls: UpstreamCall[],
  upstreams: string[],
  fromMs: number,
  toMs: number,
): ProbeTraffic {
  const windowMs = Math.max(0, toMs - fromMs);
  const out: ProbeTraffic['upstreams'] = {};
  for (const name of upstreams) out[name] = { calls: 0, perSec: 0, methods: {} };
  for (const c of calls) {
    if (c.atMs < fromMs || c.atMs >= toMs) continue;
    let u = out[c.upstream];
    if (!u) {
      u = { calls: 0, perSec: 0, methods: {} };
      out[c.upstream] = u;
    }
    u.calls++;
    u.methods[c.method] = (u.methods[c.method] ?? 0) + 1;
  }
  for (const u of Object.values(out)) u.perSec = windowMs > 0 ? (round((u.calls * 1000) / windowMs) ?? 0) : 0;
  return { windowMs: Math.round(windowMs), upstreams: out };
}

/** Earliest answer (ms after the heal) to a read started after the heal and answered by a hit upstream. */
export function recoverReadMs(reads: ReadRecord[], hit: string[], faultEndMs: number): number | null {
  let best: number | null = null;
  for (const r of reads) {
    if (r.startMs < faultEndMs || !r.ok || r.upstream === null || !hit.includes(r.upstream)) continue;
    const t = r.startMs + r.latencyMs - faultEndMs;
    if (best === null || t < best) best = t;
  }
  return best;
}

function timeline(r: LowTrafficRecord): TimelineEntry[] {
  const rel = (atMs: number) => Math.round(atMs - r.faultStartMs);
  const out: TimelineEntry[] = [];
  for (const e of r.events) {
    if (e.atMs < r.loadStartMs) continue;
    out.push({ tMs: rel(e.atMs), what: `${e.kind} ${e.key}${e.detail ? ` (${e.detail})` : ''}` });
  }
  let last = '';
  for (const p of r.statusPolls) {
    if (p.atMs < r.loadStartMs) continue;
    const usable = r.hit.map((n) => `${n}=${p.usable[n] ?? '?'}`).join(' ');
    const state = `/status ${r.domain} ${p.domainState ?? '?'}, usable ${usable}`;
    if (state !== last) out.push({ tMs: rel(p.atMs), what: state });
    last = state;
  }
  for (const c of r.rankings) out.push({ tMs: rel(c.atMs), what: `ranked ${c.order.join(' > ')}` });
  out.sort((a, b) => a.tMs - b.tMs);
  return out.slice(0, 60);
}

export function analyzeLowTraffic(r: LowTrafficRecord): LowTrafficRow {
  const measured = r.reads.filter((x) => x.startMs >= r.measureFromMs);
  // A read still in flight when the fault began met the fault (a hang holds it until its timeout).
  const before = (x: ReadRecord) => x.startMs < r.faultStartMs && x.startMs + x.latencyMs <= r.faultStartMs;
  const baseline = measured.filter((x) => before(x));
  const inFault = measured.filter((x) => x.startMs < r.faultEndMs && !before(x));
  const failedBy: Record<string, number> = {};
  let failed = 0;
  for (const x of measured) {
    if (x.ok) continue;
    failed++;
    const kind = x.error ?? 'failed';
    failedBy[kind] = (failedBy[kind] ?? 0) + 1;
  }
  const base = latencies(baseline);
  const fault = latencies(inFault);
  const detect = detection(r);
  const rel = (atMs: number | null) => (atMs === null ? null : Math.round(atMs - r.faultStartMs));
  const upstreams = [...new Set([...r.upstreams, ...r.calls.map((c) => c.upstream)])].sort();
  const figures: LowTrafficFigures = {
    reads: measured.length,
    readsInFault: inFault.length,
    failed,
    failedInFault: inFault.filter((x) => !x.ok).length,
    failedBy,
    droppedReads: r.droppedReads,
    baselineP99Ms: round(quantileSorted(base, 0.99)),
    p50InFaultMs: round(quantileSorted(fault, 0.5)),
    p99InFaultMs: round(quantileSorted(fault, 0.99)),
    maxInFaultMs: round(fault.length ? fault[fault.length - 1] : null),
    slowestInFault: [...inFault]
      .sort((a, b) => b.latencyMs - a.latencyMs)
      .slice(0, 5)
      .map((x) => ({ tMs: rel(x.startMs) ?? 0, latencyMs: round(x.latencyMs) ?? 0, upstream: x.upstream })),
    detectMs: rel(detect.atMs),
    detectSource: detect.source,
    detectHow: detect.how,
    detectLogMs: rel(detect.logAtMs),
    detectStatusMs: rel(detect.statusAtMs),
    recoverReadMs: round(recoverReadMs(r.reads, r.hit, r.faultEndMs), 0),
    rotation: rotation(r, detect.atMs !== null),
    hitCallsInFault: r.calls.filter(
      (c) => r.hit.includes(c.upstream) && c.atMs >= r.faultStartMs && c.atMs < r.faultEndMs,
    ).length,
    probes: r.level === 0 ? probeTraffic(r.calls, upstreams, r.readyAtMs, r.faultStartMs) : null,
  };
  if (figures.rotation.ms !== null) figures.rotation.ms = Math.round(figures.rotation.ms);
  return { target: r.target, fault: r.fault, chain: r.chain, level: r.level, figures, timeline: timeline(r) };
}

/** The load driver's recording (proxies) as read records; `methods` names the mix's method indices. */
export function readsOfRecording(rec: Recording, methods: readonly string[] = MIX_METHODS): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (let i = 0; i < rec.n; i++) {
    const outcome = rec.outcome[i]!;
    const upstream = rec.upstreamNames[rec.upstream[i]!];
    out.push({
      startMs: rec.startMs[i]!,
      latencyMs: rec.latencyUs[i]! / 1000,
      ok: outcome === OUTCOME.ok,
      upstream: outcome === OUTCOME.ok ? (upstream ?? null) : null,
      method: methods[rec.method[i]!] ?? String(rec.method[i]),
      error: outcome === OUTCOME.ok ? null : (OUTCOME_NAMES[outcome] ?? String(outcome)),
    });
  }
  return out;
}
