// The low-traffic group (issue 20): for each fault, target and read rate a fresh fleet and a fresh
// target pinned to core 0, an open loop of cheap reads at that rate (none at 0 reads/s), the fault
// after a warm-up and baseline, the heal, and a few seconds after it. Every call the upstreams get is
// recorded, Switchyard's /status is polled, the client targets report their reads and ranked order.
// The low rates of one fault and target run side by side (they cost next to no CPU); see plan.ts.
// The fault's chain (EVM, or solana, bitcoin, cometbft) supplies the fleet, the proxy and the reads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadRun, Recording, startLoad } from '../load/driver.js';
import type { RequestMix } from '../load/mix.js';
import { epochMs, sleep } from '../load/stats.js';
import { type RunningTarget, requiredTool } from '../targets/index.js';
import {
  analyzeLowTraffic,
  type LowTrafficRecord,
  type LowTrafficRow,
  type ProbeTraffic,
  type ReadRecord,
  readsOfRecording,
  type UpstreamCall,
} from './analyze.js';
import { type ChainFleet, chainKit, EVM_CHAIN_ID } from './chains.js';
import { type RunningClient, startClientTarget } from './client-target.js';
import {
  faultLabel,
  hitNamesOf,
  isClientTarget,
  LOW_TRAFFIC_LABELS,
  type LowTrafficChain,
  type LowTrafficFault,
  type LowTrafficFaultName,
  type LowTrafficTarget,
  type LowTrafficTiming,
  levelGroupsOf,
  levelsSkipped,
  lowTrafficRunMs,
  PREWARM_CLIENTS,
  PREWARM_MIN_LEVEL,
  runsAgainst,
} from './plan.js';
import { type StatusPoller, startStatusPoll } from './status-poll.js';

/** Cap of reads in flight per run (a hung region at 400 reads/s holds a few hundred at most). */
const MAX_IN_FLIGHT = 2048;
/** Between "target ready" and the timeline's start, so every timer is set before it begins. */
const START_DELAY_MS = 100;
const READ_SEED = 1;
/** Other accounts than the measured reads'. */
const PREWARM_SEED = 2;
/**
 * Timelines of a group start this far apart, so no two runs' faults begin or heal at the same
 * instant: the targets share core 0, and a fault's first milliseconds are the busiest a target has
 * (failing attempts, probes, breaker transitions, code run for the first time). Started together,
 * three Switchyards' onsets queued behind each other and their first reads in the fault took 40–60 ms.
 */
const STAGGER_MS = 1000;

/** What the client targets are, in words (report and README). */
export const CLIENT_SETTINGS: Record<'viem' | 'ethers', string> = {
  viem:
    'viem `createPublicClient({ chain: mainnet, transport: fallback([http(url) per upstream], { rank: true }) })`, reads as `client.request()` (no viem cache): ' +
    'rank defaults (pings `net_listening` to every upstream every `pollingInterval` = 4 s, 1 s ping timeout, 10 samples, weights stability 0.7 / latency 0.3), ' +
    'fallback retryCount 3 (150 ms backoff), http() timeout 10 s; a `fetchFn` wrapper around global fetch notes which upstream answered and lets the child read the ranked order without network traffic',
  ethers:
    'ethers v6 `new FallbackProvider([{ provider: JsonRpcProvider(url) } per upstream], 1, { quorum: 1, cacheTimeout: -1 })` (default stallTimeout 400 ms, priority 1, weight 1), reads as `getBlockNumber()` / `getBalance()`; ' +
    'each `JsonRpcProvider(url, 1, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 })`: staticNetwork, or it sends eth_chainId before every call; no 10 ms batching and no 250 ms result cache, so each read is one HTTP request as from every other target. ' +
    'It sends eth_blockNumber to every provider once, on its first call (the child makes one untimed read before the timeline). With quorum 1 an error answer meets the quorum: it is returned to the caller, not retried elsewhere; only a stall (400 ms without an answer) starts another provider',
};

export interface LowTrafficSection {
  timing: LowTrafficTiming;
  levels: number[];
  targets: LowTrafficTarget[];
  faults: {
    name: LowTrafficFaultName;
    chain: LowTrafficChain;
    what: string;
    domain: string;
    hit: string[];
    /** The targets it ran against (the other families' faults: Switchyard only). */
    targets: LowTrafficTarget[];
  }[];
  rows: LowTrafficRow[];
  skipped: {
    target: LowTrafficTarget;
    fault: LowTrafficFaultName;
    chain: LowTrafficChain;
    level: number | null;
    reason: string;
  }[];
  /**
   * Per target and chain: what each upstream received with no reads flowing, over its 0 reads/s runs
   * before the fault.
   */
  probes: { target: LowTrafficTarget; chain: LowTrafficChain; traffic: ProbeTraffic }[];
  clientSettings: Record<'viem' | 'ethers', string>;
  /** Anything that went wrong on the way (a client that did not finish, /status errors). */
  notes: string[];
}

interface OneRun {
  row: LowTrafficRow;
  notes: string[];
}

/** Every read of a run (kept with --keep-work): start relative to the fault, latency, answer, outcome. */
function writeReads(file: string, reads: ReadRecord[], faultStartMs: number): void {
  const rows = ['start_ms_from_fault,latency_ms,upstream,ok,error,method'];
  for (const r of reads) {
    rows.push(
      `${(r.startMs - faultStartMs).toFixed(1)},${r.latencyMs.toFixed(3)},${r.upstream ?? ''},${r.ok ? 1 : 0},${r.error ?? ''},${r.method}`,
    );
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
}

/** A fleet and a target, started and ready; the timeline has not begun. */
interface PreparedRun {
  target: LowTrafficTarget;
  fault: LowTrafficFault;
  level: number;
  dir: string;
  fleet: ChainFleet;
  calls: UpstreamCall[];
  hit: string[];
  /** Epoch ms the target was ready. */
  readyAtMs: number;
  proxy?: RunningTarget;
  /** Where the proxy's reads go (its chain's path). */
  endpoint?: string;
  client?: RunningClient;
  poller?: StatusPoller;
}

async function prepareRun(
  target: LowTrafficTarget,
  fault: LowTrafficFault,
  level: number,
  timing: LowTrafficTiming,
  dir: string,
): Promise<PreparedRun> {
  mkdirSync(dir, { recursive: true });
  const chain = await chainKit(fault.chain).start(fault.fleet());
  const { fleet } = chain;
  const calls: UpstreamCall[] = [];
  for (const p of fleet.providers) {
    const upstream = p.name;
    p.onRequest((method, atMs) => calls.push({ upstream, method, atMs }));
  }
  const run: PreparedRun = {
    target,
    fault,
    level,
    dir,
    fleet,
    calls,
    hit: fleet.byDomain(fault.hit).map((p) => p.name),
    readyAtMs: 0,
  };
  try {
    if (isClientTarget(target)) {
      run.client = await startClientTarget(
        {
          kind: target,
          chainId: EVM_CHAIN_ID,
          upstreams: fleet.providers.map((p) => ({ name: p.name, url: p.url })),
          ratePerSec: level,
          durationMs: lowTrafficRunMs(timing),
          timeoutMs: timing.timeoutMs,
          maxInFlight: MAX_IN_FLIGHT,
          rankPollMs: timing.rankPollMs,
          seed: READ_SEED,
          startDelayMs: START_DELAY_MS,
        },
        0,
      );
    } else {
      const { running, endpoint } = await chain.startProxy(target, dir, 0);
      run.proxy = running;
      run.endpoint = endpoint;
      if (run.proxy.status) {
        run.poller = startStatusPoll(run.proxy.status, fault.domain, run.hit, timing.statusPollMs);
      }
    }
  } catch (err) {
    await fleet.close();
    throw err;
  }
  run.readyAtMs = epochMs();
  return run;
}

async function stopRun(run: PreparedRun): Promise<void> {
  await run.poller?.stop();
  await run.proxy?.stop().catch(() => {});
  await run.client?.stop().catch(() => {});
  await run.fleet.close();
}

/** The timeline of one prepared run from `startAtMs` (proxies; a client child starts on its signal). */
async function executeRun(
  run: PreparedRun,
  timing: LowTrafficTiming,
  startAtMs: number,
  onProgress: (fraction: number) => void,
): Promise<OneRun> {
  const { fault, level, proxy, endpoint, client, poller, fleet, target } = run;
  const kit = chainKit(fault.chain);
  const label = `${target} ${faultLabel(fault.name, fault.chain)} ${level}/s`;
  const totalMs = lowTrafficRunMs(timing);
  const notes: string[] = [];
  const timers: NodeJS.Timeout[] = [];
  let ticker: NodeJS.Timeout | undefined;
  try {
    const loadStartMs = client ? await client.start() : startAtMs;
    const measureFromMs = loadStartMs + timing.warmupMs;
    const endMs = loadStartMs + totalMs;
    let faultStartMs = measureFromMs + timing.baselineMs;
    let faultEndMs = faultStartMs + timing.faultMs;
    poller?.denseFrom(faultStartMs - 100);
    const applied: Promise<unknown>[] = [];
    const at = (atMs: number, fn: () => void) => timers.push(setTimeout(fn, Math.max(0, atMs - epochMs())));
    at(faultStartMs, () => {
      faultStartMs = epochMs();
      applied.push(fleet.setFault(fault.hit, fault.fault).catch(() => {}));
    });
    at(faultEndMs, () => {
      faultEndMs = epochMs();
      applied.push(fleet.setFault(fault.hit, { kind: 'none' }).catch(() => {}));
    });
    ticker = setInterval(
      () => onProgress(Math.min(1, Math.max(0, (epochMs() - loadStartMs) / totalMs))),
      250,
    );

    let load: LoadRun | undefined;
    if (proxy && endpoint && level > 0) {
      await sleep(loadStartMs - epochMs());
      const maxRequests = Math.ceil((level * totalMs) / 1000) + 1;
      load = startLoad({
        url: endpoint,
        mix: kit.mix(READ_SEED),
        ratePerSec: level,
        maxInFlight: MAX_IN_FLIGHT,
        maxRequests,
        durationMs: totalMs,
        timeoutMs: timing.timeoutMs,
        upstreamOf: proxy.upstreamOf,
        recording: new Recording(maxRequests),
      });
    }
    await sleep(endMs - epochMs());
    let reads: ReadRecord[] = [];
    let droppedReads = 0;
    if (load) {
      const rec = await load.done;
      reads = readsOfRecording(rec, kit.methods);
      droppedReads = rec.dropped;
    }
    if (client) {
      const f = await client.finished(timing.timeoutMs + 3000);
      if (!f.complete) notes.push(`${label}: the client did not report done in time`);
      reads = [...client.reads];
      droppedReads = f.dropped;
    }
    await Promise.all(applied);
    await poller?.stop();
    if (poller && poller.errors > 0) {
      notes.push(`${label}: ${poller.errors} /status polls failed`);
    }
    const record: LowTrafficRecord = {
      target,
      fault: fault.name,
      chain: fault.chain,
      level,
      readyAtMs: run.readyAtMs,
      loadStartMs,
      measureFromMs,
      faultStartMs,
      faultEndMs,
      endMs,
      upstreams: fleet.providers.map((p) => p.name),
      hit: run.hit,
      domain: fault.domain,
      reads,
      droppedReads,
      events: proxy ? [...proxy.events] : [],
      statusPolls: poller ? [...poller.polls] : [],
      rankings: client ? [...client.rankings] : [],
      calls: [...run.calls],
    };
    writeReads(join(run.dir, 'reads.csv'), reads, faultStartMs);
    return { row: analyzeLowTraffic(record), notes };
  } finally {
    clearInterval(ticker);
    for (const t of timers) clearTimeout(t);
  }
}

/** A closed loop of PREWARM_CLIENTS clients for `durationMs` (not recorded): see PREWARM_MIN_LEVEL. */
async function prewarm(url: string, mix: RequestMix, durationMs: number, timeoutMs: number): Promise<void> {
  await startLoad({
    url,
    mix,
    clients: PREWARM_CLIENTS,
    durationMs,
    maxRequests: Math.ceil((durationMs / 1000) * 8000),
    timeoutMs,
  }).done;
}

/**
 * Runs some levels of one fault and target side by side: the targets are started one after another
 * (start-up is the costly part: several Switchyards booting at once on one core would still be
 * busy when their reads begin); a proxy at 400 reads/s is pre-warmed, a Switchyard left idle until
 * timing.settleMs after the last was ready, a 0 reads/s run given its probe window; then the
 * timelines begin STAGGER_MS apart.
 */
async function runGroup(
  target: LowTrafficTarget,
  fault: LowTrafficFault,
  levels: number[],
  timing: LowTrafficTiming,
  work: string,
  onProgress: (fraction: number) => void,
): Promise<{ level: number; result: PromiseSettledResult<OneRun> }[]> {
  const prepared: PreparedRun[] = [];
  const out: { level: number; result: PromiseSettledResult<OneRun> }[] = [];
  try {
    for (const level of levels) {
      const dir = join(
        work,
        `low-traffic-${faultLabel(fault.name, fault.chain).replace(' ', '-')}-${target}-${level}`,
      );
      try {
        prepared.push(await prepareRun(target, fault, level, timing, dir));
      } catch (err) {
        out.push({ level, result: { status: 'rejected', reason: err } });
      }
    }
    const readyAtMs = epochMs();
    for (const run of prepared) {
      if (run.endpoint && run.level >= PREWARM_MIN_LEVEL)
        await prewarm(
          run.endpoint,
          chainKit(fault.chain).mix(PREWARM_SEED),
          timing.prewarmMs,
          timing.timeoutMs,
        );
    }
    if (target === 'switchyard') await sleep(readyAtMs + timing.settleMs - epochMs());
    // At 0 reads/s: the probe-traffic window (ready until the fault) spans timing.probeWindowMs.
    const idle = prepared.find((run) => run.level === 0);
    if (idle)
      await sleep(idle.readyAtMs + timing.probeWindowMs - timing.warmupMs - timing.baselineMs - epochMs());
    const startAtMs = epochMs() + START_DELAY_MS;
    const fractions = prepared.map(() => 0);
    const settled = await Promise.allSettled(
      prepared.map((run, k) =>
        executeRun(run, timing, startAtMs + k * STAGGER_MS, (f) => {
          fractions[k] = f;
          onProgress(Math.min(...fractions));
        }),
      ),
    );
    for (const [k, result] of settled.entries()) out.push({ level: prepared[k]!.level, result });
  } finally {
    await Promise.all(prepared.map((run) => stopRun(run)));
  }
  return out;
}

/**
 * Sums the 0 reads/s runs' windows (target ready until the fault) per target and chain: calls each
 * upstream got with no reads.
 */
export function probeSummary(rows: LowTrafficRow[]): LowTrafficSection['probes'] {
  const out: LowTrafficSection['probes'] = [];
  const pairs = new Map(rows.map((r) => [`${r.target} ${r.chain}`, { target: r.target, chain: r.chain }]));
  for (const { target, chain } of pairs.values()) {
    const traffic: ProbeTraffic = { windowMs: 0, upstreams: {} };
    for (const r of rows) {
      const p = r.target === target && r.chain === chain ? r.figures.probes : null;
      if (!p) continue;
      traffic.windowMs += p.windowMs;
      for (const [name, u] of Object.entries(p.upstreams)) {
        let sum = traffic.upstreams[name];
        if (!sum) {
          sum = { calls: 0, perSec: 0, methods: {} };
          traffic.upstreams[name] = sum;
        }
        sum.calls += u.calls;
        for (const [m, n] of Object.entries(u.methods)) sum.methods[m] = (sum.methods[m] ?? 0) + n;
      }
    }
    if (traffic.windowMs === 0) continue;
    for (const u of Object.values(traffic.upstreams)) {
      u.perSec = Math.round(((u.calls * 1000) / traffic.windowMs) * 100) / 100;
    }
    out.push({ target, chain, traffic });
  }
  return out;
}

/** Runs every fault (plan.ts lowTrafficFaults) against each of `targets` it applies to. */
export async function runLowTraffic(
  timing: LowTrafficTiming,
  targets: LowTrafficTarget[],
  faults: readonly LowTrafficFault[],
  work: string,
  installed: (tool: string) => boolean,
  onStep: (label: string) => void,
  onProgress: (fraction: number) => void,
  onRow: (row: LowTrafficRow) => void = () => {},
): Promise<LowTrafficSection> {
  const levels = [
    ...new Set(faults.flatMap((f) => targets.flatMap((t) => levelGroupsOf(timing, f, t).flat()))),
  ].sort((a, b) => a - b);
  const section: LowTrafficSection = {
    timing,
    levels,
    targets,
    faults: [],
    rows: [],
    skipped: [],
    probes: [],
    clientSettings: CLIENT_SETTINGS,
    notes: [],
  };
  for (const fault of faults) {
    const { name, chain } = fault;
    const mine = targets.filter((t) => runsAgainst(fault, t));
    if (mine.length === 0) continue;
    section.faults.push({
      name,
      chain,
      what: fault.what,
      domain: fault.domain,
      hit: hitNamesOf(fault),
      targets: mine,
    });
    for (const target of mine) {
      const tool = isClientTarget(target) ? undefined : requiredTool(target);
      if (tool && !installed(tool)) {
        section.skipped.push({
          target,
          fault: name,
          chain,
          level: null,
          reason: `${tool} is not installed (apt-get install -y ${tool})`,
        });
        continue;
      }
      // Only the client libraries leave rates out (the other families' rows stop at 50 by plan).
      for (const level of isClientTarget(target) ? levelsSkipped(timing, target) : []) {
        section.skipped.push({
          target,
          fault: name,
          chain,
          level,
          reason: `not run: the client process sending ${level} reads/s through the library would saturate its core`,
        });
      }
      for (const group of levelGroupsOf(timing, fault, target)) {
        onStep(
          `low-traffic · ${faultLabel(fault.name, fault.chain)} · ${LOW_TRAFFIC_LABELS[target]} · ${group.join(', ')} reads/s`,
        );
        const results = await runGroup(target, fault, group, timing, work, onProgress);
        for (const { level, result } of results) {
          if (result.status === 'fulfilled') {
            section.rows.push(result.value.row);
            section.notes.push(...result.value.notes);
            onRow(result.value.row);
          } else {
            const reason = `run failed: ${(result.reason as Error).message.split('\n')[0]}`;
            section.skipped.push({ target, fault: name, chain, level, reason });
          }
        }
      }
    }
  }
  const order = (r: LowTrafficRow) =>
    faults.findIndex((f) => f.name === r.fault && f.chain === r.chain) * 1e6 +
    r.level * 10 +
    targets.indexOf(r.target);
  section.rows.sort((a, b) => order(a) - order(b));
  section.probes = probeSummary(section.rows);
  return section;
}
