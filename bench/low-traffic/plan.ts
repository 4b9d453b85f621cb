// The low-traffic group's plan (issue 20): which faults, at which read rates, against which targets,
// on which timeline. A failing region or provider must be detected whatever the traffic: the same
// three outages run at 0, 5, 50 and 400 reads/s against Switchyard, nginx, HAProxy and the two
// client-side failovers a user might pick instead of a proxy (viem's ranked fallback, ethers'
// FallbackProvider); and the region hang on a solana, bitcoin and cometbft chain at the low rates,
// against Switchyard alone (the peers and the EVM client libraries do not speak those families).
import type { FakeFamilyName } from '../../src/simulation/family-fleet.js';
import {
  cloudflarePage,
  type DomainFilter,
  type Fault,
  type ProviderSpec,
  standardFleet,
} from '../../src/simulation/index.js';
import { BENCH_FAMILIES } from '../families/chain.js';
import { providerSpanningFleet } from '../scenarios/catalog.js';

export type LowTrafficTarget = 'switchyard' | 'nginx' | 'haproxy' | 'viem' | 'ethers';
export const LOW_TRAFFIC_TARGETS: LowTrafficTarget[] = ['switchyard', 'nginx', 'haproxy', 'viem', 'ethers'];
/** The targets that run in a child process of their own with the load inside (client-side failover). */
export type ClientTarget = Extract<LowTrafficTarget, 'viem' | 'ethers'>;
const CLIENT_TARGETS: readonly ClientTarget[] = ['viem', 'ethers'];

export const LOW_TRAFFIC_LABELS: Record<LowTrafficTarget, string> = {
  switchyard: 'Switchyard',
  nginx: 'nginx',
  haproxy: 'HAProxy',
  viem: 'viem fallback',
  ethers: 'ethers Fallback',
};

export function isClientTarget(t: LowTrafficTarget): t is ClientTarget {
  return (CLIENT_TARGETS as readonly string[]).includes(t);
}

export type LowTrafficFaultName = 'hang' | 'refuse' | '503';

/** The chain a fault's fleet serves: the EVM chain (id 1) or a chain of another family. */
export type LowTrafficChain = 'ethereum' | FakeFamilyName;

export interface LowTrafficFault {
  name: LowTrafficFaultName;
  chain: LowTrafficChain;
  /** The targets it runs against; omitted: every target. */
  targets?: readonly LowTrafficTarget[];
  /** One sentence for the report. */
  what: string;
  fleet: () => ProviderSpec[];
  hit: DomainFilter;
  fault: Fault;
  /** The Switchyard failure domain that should open. */
  domain: string;
}

const AWS: DomainFilter = { cloud: 'aws', region: 'us-east-1' };

const HANG: LowTrafficFault = {
  name: 'hang',
  chain: 'ethereum',
  what: 'both aws/us-east-1 upstreams accept connections and never answer',
  fleet: standardFleet,
  hit: AWS,
  fault: { kind: 'hang' },
  domain: 'region:aws/us-east-1',
};

/** The faults of the outage catalog's region-blackhole, region-refuse and provider-outage scenarios. */
export const LOW_TRAFFIC_FAULTS: LowTrafficFault[] = [
  HANG,
  {
    name: 'refuse',
    chain: 'ethereum',
    what: 'both aws/us-east-1 upstreams close their port (ECONNREFUSED)',
    fleet: standardFleet,
    hit: AWS,
    fault: { kind: 'refuse' },
    domain: 'region:aws/us-east-1',
  },
  {
    name: '503',
    chain: 'ethereum',
    what: 'provider alchemy (aws-use1-a and gcp-euw1-a) answers every call with a Cloudflare HTTP 503 page',
    fleet: providerSpanningFleet,
    hit: { provider: 'alchemy' },
    fault: cloudflarePage(503),
    domain: 'provider:alchemy',
  },
];

/** The hang on each other family's chain: the same fleet layout, Switchyard only. */
export const LOW_TRAFFIC_FAMILY_FAULTS: LowTrafficFault[] = BENCH_FAMILIES.map((chain) => ({
  ...HANG,
  chain,
  what: `both aws/us-east-1 ${chain} nodes accept connections and never answer`,
  targets: ['switchyard'],
}));

/** The group's faults: the EVM ones, then (unless left out) the other families' hang. */
export function lowTrafficFaults(families: boolean): LowTrafficFault[] {
  return families ? [...LOW_TRAFFIC_FAULTS, ...LOW_TRAFFIC_FAMILY_FAULTS] : LOW_TRAFFIC_FAULTS;
}

/** A fault's name in rows, tables and checks: "hang", "refuse", "503"; "solana hang" on another family. */
export function faultLabel(name: LowTrafficFaultName, chain: LowTrafficChain): string {
  return chain === 'ethereum' ? name : `${chain} ${name}`;
}

export function runsAgainst(f: LowTrafficFault, target: LowTrafficTarget): boolean {
  return f.targets === undefined || f.targets.includes(target);
}

/** Names of the fleet's upstreams the fault hits. */
export function hitNamesOf(f: LowTrafficFault): string[] {
  const keys = ['cloud', 'region', 'provider', 'network'] as const;
  return f
    .fleet()
    .filter((p) => keys.every((k) => f.hit[k] === undefined || p[k] === f.hit[k]))
    .map((p) => p.name);
}

/** Reads per second, open loop. 0: no reads at all during the run. */
export const LOW_TRAFFIC_LEVELS = [0, 5, 50, 400] as const;

export interface LowTrafficTiming {
  /**
   * Idle time between the last Switchyard of a level group being ready and the timelines' start
   * (the other targets need none).
   */
  settleMs: number;
  /**
   * At PREWARM_MIN_LEVEL reads/s and more, a closed loop of 8 clients warms the proxy this long
   * before its timeline (see PREWARM_MIN_LEVEL).
   */
  prewarmMs: number;
  /**
   * At 0 reads/s the fault comes at least this long after the target was ready: the probe-traffic
   * window, longer than the slowest probe period (viem pings every 4 s).
   */
  probeWindowMs: number;
  /** Reads flow but are not counted (the target warms its latency estimates). */
  warmupMs: number;
  /** Counted reads before the fault: the baseline p99 (and, at 0 reads/s, the probe-traffic window). */
  baselineMs: number;
  faultMs: number;
  /** After the heal: recovery. */
  afterMs: number;
  /** Client timeout of one read. */
  timeoutMs: number;
  /** Switchyard's GET /status is polled this often from just before the fault. */
  statusPollMs: number;
  /** The viem child reads its ranked order after every ranking ping and also this often. */
  rankPollMs: number;
  /**
   * Per target, the read rates it runs, in groups that run side by side (each level with its own
   * fleet and target process, all targets on core 0). The low rates cost little CPU, so they share
   * the time. At 400 reads/s the bench process (load and fleet) uses about half of core 1 and
   * Switchyard about 60% of core 0, so it runs alone (in --quick nginx and HAProxy, whose own CPU is
   * small, run it beside their low rates). The client libraries skip 400 reads/s: there the child
   * process that is both the app's load and the library used 70% (ethers) to 97% (viem) of its core
   * on the reference machine, so its latencies would measure its own queue, not failover.
   */
  levelGroups: Record<LowTrafficTarget, number[][]>;
  /**
   * Switchyard's read rates on the other families' chains, grouped likewise. They stop at 50 reads/s:
   * 400 would add a timeline of its own per family (prewarmed, alone), and heavy traffic on those
   * chains is what the families group measures.
   */
  familyLevelGroups: number[][];
}

const APART: number[][] = [[0, 5, 50], [400]];
const LOW_ONLY: number[][] = [[0, 5, 50]];

// A Switchyard that has just answered /readyz is still busy for a second or two: 400 reads/s sent at
// once waited 0.3–1.5 s each through the first 1–2 s, while after 2 s idle the same load was answered
// in milliseconds from its first read. Hence the idle settle before the timeline, then a warm-up.
export const FULL_LOW_TRAFFIC_TIMING: LowTrafficTiming = {
  settleMs: 1500,
  prewarmMs: 1500,
  probeWindowMs: 5000,
  warmupMs: 1000,
  baselineMs: 2000,
  faultMs: 4000,
  afterMs: 3000,
  timeoutMs: 5000,
  statusPollMs: 20,
  rankPollMs: 250,
  levelGroups: { switchyard: APART, nginx: APART, haproxy: APART, viem: LOW_ONLY, ethers: LOW_ONLY },
  familyLevelGroups: LOW_ONLY,
};

export const QUICK_LOW_TRAFFIC_TIMING: LowTrafficTiming = {
  settleMs: 1000,
  prewarmMs: 1000,
  probeWindowMs: 5000,
  warmupMs: 500,
  baselineMs: 1000,
  faultMs: 3000,
  afterMs: 3000,
  timeoutMs: 5000,
  statusPollMs: 20,
  rankPollMs: 250,
  levelGroups: {
    switchyard: APART,
    nginx: [[0, 5, 50, 400]],
    haproxy: [[0, 5, 50, 400]],
    viem: LOW_ONLY,
    ethers: LOW_ONLY,
  },
  familyLevelGroups: LOW_ONLY,
};

/**
 * From this rate on, a proxy is warmed by a closed loop before its timeline. From cold, an open loop
 * of 400 reads/s queues up behind the first slow answers (the target's and the bench's own code not
 * yet compiled) and spirals into seconds of latency that outlast a short warm-up, nginx's included;
 * after 1.5 s of 8 closed-loop clients the same load is answered in milliseconds from its first read.
 * The low rates get no such help: the target must have seen only low traffic.
 */
export const PREWARM_MIN_LEVEL = 100;
export const PREWARM_CLIENTS = 8;

/** The rate groups a fault runs against a target (none when the fault does not apply to it). */
export function levelGroupsOf(t: LowTrafficTiming, f: LowTrafficFault, target: LowTrafficTarget): number[][] {
  if (!runsAgainst(f, target)) return [];
  return f.chain === 'ethereum' ? t.levelGroups[target] : t.familyLevelGroups;
}

/** Every rate of the plan a target does not run (the client libraries: 400 reads/s). */
export function levelsSkipped(t: LowTrafficTiming, target: LowTrafficTarget): number[] {
  const run = t.levelGroups[target].flat();
  return LOW_TRAFFIC_LEVELS.filter((l) => !run.includes(l));
}

export function lowTrafficRunMs(t: LowTrafficTiming): number {
  return t.warmupMs + t.baselineMs + t.faultMs + t.afterMs;
}

/** Start-up and shutdown of one fleet and target (Switchyard's is the slowest, about a second). */
const START_MS: Record<LowTrafficTarget, number> = {
  switchyard: 900,
  nginx: 200,
  haproxy: 200,
  viem: 1000,
  ethers: 600,
};

/** Expected wall time of the group: per fault and target, one timeline per level group. */
export function lowTrafficWeightMs(
  t: LowTrafficTiming,
  targets: readonly LowTrafficTarget[],
  faults: readonly LowTrafficFault[],
): number {
  let ms = 0;
  for (const [f, target] of faultTargets(targets, faults)) {
    for (const g of levelGroupsOf(t, f, target)) {
      const settle = target === 'switchyard' ? t.settleMs : 0;
      const prewarm = g.some((l) => l >= PREWARM_MIN_LEVEL) && !isClientTarget(target) ? t.prewarmMs : 0;
      const starts = START_MS[target] * g.length;
      const probe = g.includes(0) ? t.probeWindowMs - t.warmupMs - t.baselineMs - starts : 0;
      // Timelines of a group start 1 s apart (run.ts STAGGER_MS).
      ms += Math.max(settle, prewarm, probe) + lowTrafficRunMs(t) + starts + 300 + 1000 * (g.length - 1);
    }
  }
  return ms;
}

/** Every fault with every target it runs against, in run order. */
function faultTargets(
  targets: readonly LowTrafficTarget[],
  faults: readonly LowTrafficFault[],
): [LowTrafficFault, LowTrafficTarget][] {
  return faults.flatMap((f) =>
    targets.filter((t) => runsAgainst(f, t)).map((t): [LowTrafficFault, LowTrafficTarget] => [f, t]),
  );
}

/** How many timelines (level groups) the group runs over all faults and targets. */
export function lowTrafficSteps(
  t: LowTrafficTiming,
  targets: readonly LowTrafficTarget[],
  faults: readonly LowTrafficFault[],
): number {
  return faultTargets(targets, faults).reduce((n, [f, target]) => n + levelGroupsOf(t, f, target).length, 0);
}

/** The issue 20 detection bound at a read rate: 100 ms at >= 50 reads/s, 250 ms at 5, 1 s at 0. */
export function detectionBoundMs(level: number): number {
  if (level >= 50) return 100;
  if (level >= 5) return 250;
  return 1000;
}
