// The report as data (report.json) and the checks against the targets of issue 4 (and the outage
// figures of issue 3). Targets are figures in the report, never assertions.
import type { FamiliesSection } from '../families/run.js';
import type { LowTrafficSection } from '../low-traffic/run.js';
import type { OverheadReport, OverheadRow } from '../overhead/run.js';
import type { ScenarioResult } from '../scenarios/analyze.js';
import type { CometSubscriptionSection } from '../subscriptions/comet-run.js';
import type { SubscriptionSection } from '../subscriptions/run.js';
import type { TargetKind } from '../targets/target.js';

export interface ScenarioSection {
  name: string;
  title: string;
  what: string;
  chart: string | null;
  results: ScenarioResult[];
  skipped: { target: TargetKind; reason: string }[];
}

interface BenchMeta {
  date: string;
  commands: string[];
  mode: 'full' | 'quick';
  machine: { cpuModel: string; cores: number; node: string; platform: string };
  tools: Record<string, string | null>;
  pinning: string;
  git: string | null;
  durationSec: number;
  notes: string[];
}

export interface TargetCheck {
  source: 'issue 4' | 'issue 3' | 'issue 11' | 'issue 12' | 'issue 20' | 'issue 23';
  target: string;
  figure: string;
  met: boolean | null;
}

export interface BenchReport {
  meta: BenchMeta;
  scenarios: ScenarioSection[];
  overhead: OverheadReport | null;
  /** The subscription scenario; absent or null when it was not run. */
  subscriptions?: SubscriptionSection | null;
  /** The subscription scenario's CometBFT rows. */
  cometSubscriptions?: CometSubscriptionSection | null;
  /** The families scenario group (solana, bitcoin, cometbft); absent or null when it was not run. */
  families?: FamiliesSection | null;
  /** The low-traffic group (issue 20: detection at 0, 5, 50, 400 reads/s); absent or null when not run. */
  lowTraffic?: LowTrafficSection | null;
  checks: TargetCheck[];
  /** Switchyard misbehaviour worth a look by the core's owners (plain sentences). */
  findings: string[];
}

export function resultOf(section: ScenarioSection, target: TargetKind): ScenarioResult | undefined {
  return section.results.find((r) => r.target === target);
}

function row(o: OverheadReport | null, t: TargetKind): OverheadRow | undefined {
  return o?.rows.find((r) => r.target === t && !r.skipped);
}

export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return String(Math.round(v));
}

/** Issue 12: Switchyard against the bare Node forwarder (the Node floor) and nginx's hop. */
function nodeFloorChecks(
  sy: OverheadRow | undefined,
  bare: OverheadRow | undefined,
  direct: OverheadRow | undefined,
  nginx: OverheadRow | undefined,
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const check = (target: string, figure: string | undefined, met: boolean) =>
    out.push({ source: 'issue 12', target, figure: figure ?? 'not measured', met: figure ? met : null });
  const cpu = sy?.cpuMsPer1kAtSaturation;
  const bareCpu = bare?.cpuMsPer1kAtSaturation;
  check(
    'CPU per request at saturation ≤ 1.0× the bare Node forwarder',
    cpu && bareCpu ? `${(cpu / bareCpu).toFixed(2)}× (${cpu} vs ${bareCpu} ms / 1k req)` : undefined,
    !!cpu && !!bareCpu && cpu <= bareCpu,
  );
  const hop = (r: OverheadRow | undefined) =>
    r?.c1?.p50Us != null && direct?.c1?.p50Us != null ? r.c1.p50Us - direct.c1.p50Us : undefined;
  const syHop = hop(sy);
  const nginxHop = hop(nginx);
  check(
    'Per-hop p50 at concurrency 1 ≤ 1.2× nginx’s hop',
    syHop !== undefined && nginxHop
      ? `${(syHop / nginxHop).toFixed(2)}× (${syHop} vs ${nginxHop} µs)`
      : undefined,
    syHop !== undefined && !!nginxHop && syHop <= 1.2 * nginxHop,
  );
  const crowd = sy?.crowd;
  const bareCrowd = bare?.crowd;
  check(
    `At ${crowd?.connections ?? 2000} connections: goodput ≥ the bare forwarder’s, no timeouts`,
    crowd && bareCrowd
      ? `${crowd.goodputRps} vs ${bareCrowd.goodputRps} req/s, ${crowd.timeouts} timeouts, p99 ${fmtMs(crowd.p99Us / 1000)} ms`
      : undefined,
    !!crowd && !!bareCrowd && crowd.goodputRps >= bareCrowd.goodputRps && crowd.timeouts === 0,
  );
  check(
    'Peak RSS under saturation ≤ the bare forwarder’s',
    sy?.peakRssMb && bare?.peakRssMb ? `${sy.peakRssMb} vs ${bare.peakRssMb} MB` : undefined,
    !!sy?.peakRssMb && !!bare?.peakRssMb && sy.peakRssMb <= bare.peakRssMb,
  );
  const alloc = sy?.allocation;
  check(
    'Allocation per request under 4 KB',
    alloc
      ? `${(alloc.bytesPerRequest / 1024).toFixed(1)} KB (bare forwarder ${bare?.allocation ? `${(bare.allocation.bytesPerRequest / 1024).toFixed(1)} KB` : 'not measured'})`
      : undefined,
    !!alloc && alloc.bytesPerRequest < 4096,
  );
  return out;
}

export function checks(scenarios: ScenarioSection[], overhead: OverheadReport | null): TargetCheck[] {
  const out: TargetCheck[] = [];
  const sy = row(overhead, 'switchyard');
  const direct = row(overhead, 'direct');
  const nginx = row(overhead, 'nginx');
  if (sy?.c1?.p50Us != null && direct?.c1?.p50Us != null) {
    const hop = sy.c1.p50Us - direct.c1.p50Us;
    out.push({
      source: 'issue 4',
      target: 'Per-hop p50 overhead ≤ 150 µs at concurrency 1',
      figure: `${hop} µs (Switchyard ${sy.c1.p50Us} µs − direct ${direct.c1.p50Us} µs)`,
      met: hop <= 150,
    });
  } else {
    out.push({
      source: 'issue 4',
      target: 'Per-hop p50 overhead ≤ 150 µs at concurrency 1',
      figure: 'not measured',
      met: null,
    });
  }
  if (sy?.saturation && nginx?.saturation) {
    const ratio = sy.saturation.rps / nginx.saturation.rps;
    out.push({
      source: 'issue 4',
      target: 'Throughput ≥ 0.5× nginx on the same pinned core',
      figure: `${ratio.toFixed(2)}× (${sy.saturation.rps} vs ${nginx.saturation.rps} req/s)`,
      met: ratio >= 0.5,
    });
  } else {
    out.push({
      source: 'issue 4',
      target: 'Throughput ≥ 0.5× nginx on the same pinned core',
      figure: 'not measured (nginx or Switchyard missing)',
      met: null,
    });
  }
  out.push(...nodeFloorChecks(sy, row(overhead, 'bare'), direct, nginx));
  for (const s of scenarios) {
    const me = resultOf(s, 'switchyard');
    if (!me) continue;
    if (me.healthyDomainRemains) {
      out.push({
        source: 'issue 4',
        target: `${s.name}: zero failed reads (a healthy domain remains)`,
        figure: `${me.failed} failed of ${me.requests}${me.warmupFailed ? ` (+${me.warmupFailed} in warm-up)` : ''}`,
        met: me.failed === 0,
      });
    }
    const peers = s.results.filter((r) => r.target === 'nginx' || r.target === 'haproxy');
    if (peers.length > 0) {
      const failedOk = peers.every((p) => me.failed <= p.failed);
      const myP99 = me.phases.during.p99Ms ?? Number.POSITIVE_INFINITY;
      const p99Ok = peers.every((p) => myP99 < (p.phases.during.p99Ms ?? Number.POSITIVE_INFINITY));
      const fig = peers.map((p) => `${p.target} ${p.failed} / ${fmtMs(p.phases.during.p99Ms)} ms`).join(', ');
      out.push({
        source: 'issue 4',
        target: `${s.name}: ahead of nginx and HAProxy on failed requests and p99 during the outage`,
        figure: `Switchyard ${me.failed} failed / p99 ${fmtMs(me.phases.during.p99Ms)} ms; ${fig}`,
        met: failedOk && p99Ok,
      });
    }
    if (s.name === 'stale-head' || s.name === 'wrong-chain') {
      out.push({
        source: 'issue 3',
        target: `${s.name}: the faulty upstream serves no ${s.name === 'stale-head' ? 'stale `latest` reads' : 'requests'}`,
        figure: `${me.badAnswers} ${s.name === 'stale-head' ? 'answers more than 6 blocks behind' : 'answers from the wrong chain'}`,
        met: me.badAnswers === 0,
      });
    }
  }
  const blackhole = scenarios.find((s) => s.name === 'region-blackhole');
  const bh = blackhole && resultOf(blackhole, 'switchyard');
  if (bh) {
    out.push({
      source: 'issue 3',
      target: 'region-blackhole: region breaker opens within 100 ms',
      figure: bh.detectMs === null ? 'never opened' : `${bh.detectMs} ms`,
      met: bh.detectMs !== null && bh.detectMs <= 100,
    });
    out.push({
      source: 'issue 3',
      target: 'region-blackhole: p99 during the outage ≤ 100 ms',
      figure: `${fmtMs(bh.phases.during.p99Ms)} ms`,
      met: bh.phases.during.p99Ms !== null && bh.phases.during.p99Ms <= 100,
    });
    out.push({
      source: 'issue 3',
      target: 'region-blackhole: the region carries traffic again within 1 s',
      figure:
        bh.recoverMs === null ? `not within the ${bh.afterMs} ms after the fault` : `${bh.recoverMs} ms`,
      met: bh.recoverMs !== null && bh.recoverMs <= 1000,
    });
  }
  const refuse = scenarios.find((s) => s.name === 'region-refuse');
  const rf = refuse && resultOf(refuse, 'switchyard');
  if (rf) {
    const base = rf.phases.before.p99Ms;
    const during = rf.phases.during.p99Ms;
    out.push({
      source: 'issue 3',
      target: 'region-refuse: zero failed requests and no visible latency bump',
      figure: `${rf.failed} failed; p99 ${fmtMs(base)} ms before, ${fmtMs(during)} ms during`,
      met: rf.failed === 0 && base !== null && during !== null && during <= base * 2,
    });
  }
  return out;
}

/** Plain-sentence notes where Switchyard missed what issue 3 expects, with the timeline evidence. */
export function findings(scenarios: ScenarioSection[]): string[] {
  const out: string[] = [];
  for (const s of scenarios) {
    const me = resultOf(s, 'switchyard');
    if (!me) continue;
    const opens = me.events
      .filter((e) => e.kind.startsWith('domain_') && (me.domain === null || e.key === me.domain))
      .slice(0, 6)
      .map((e) => `${e.key} ${e.detail ?? e.kind} at ${e.tMs} ms`)
      .join('; ');
    if (me.healthyDomainRemains && me.failed > 0) {
      const by = (['before', 'during', 'after'] as const)
        .map((p) => `${p}: ${me.phases[p].failed} ${JSON.stringify(me.phases[p].failedBy)}`)
        .join(', ');
      out.push(
        `${s.name}: Switchyard failed ${me.failed} of ${me.requests} reads although a healthy domain remained (${by}).` +
          (opens ? ` Domain events: ${opens}.` : ''),
      );
    }
    if (me.badAnswers > 0) {
      out.push(
        `${s.name}: Switchyard served ${me.badAnswers} wrong answers (${s.name === 'stale-head' ? 'head more than 6 blocks behind the chain' : 'from the upstream on the wrong chain'}) during the fault; share of answers from the faulty upstream before/during/after: ${me.phases.before.hitShare} / ${me.phases.during.hitShare} / ${me.phases.after.hitShare}.`,
      );
    }
    if (me.domain && me.detectMs === null) {
      out.push(`${s.name}: the ${me.domain} breaker never opened during the fault.`);
    }
    if (me.expectNoEject && (me.domainOpens ?? 0) > 0) {
      out.push(
        `${s.name}: Switchyard opened ${me.domain} ${me.domainOpens} time(s) (first ${me.detectMs} ms after the fault start); issue 3 expects a slow provider to lose its traffic share without being ejected. Answers from it before/during/after: ${me.phases.before.hitShare} / ${me.phases.during.hitShare} / ${me.phases.after.hitShare}.`,
      );
    }
    const late = me.recoverMs === null ? me.phases.after.requests > 0 : me.recoverMs > 1000;
    if (late) {
      const when =
        me.recoverMs === null
          ? `answered no client request in the ${me.afterMs} ms after the fault ended`
          : `carried traffic again only ${me.recoverMs} ms after the fault ended (issue 3: within 1 s)`;
      out.push(
        `${s.name}: the hit upstreams ${when}.${opens ? ` Domain events: ${opens}.` : ''}${statusEvidence(me)}`,
      );
    }
  }
  return out;
}

/** What /status said about the hit upstreams at the end of the fault and at the end of the run. */
function statusEvidence(r: ScenarioResult): string {
  const parts: string[] = [];
  for (const label of ['end of fault', 'end of run']) {
    const snap = r.status.find((x) => x.label === label);
    if (!snap || !Array.isArray(snap.upstreams)) continue;
    const ups = (snap.upstreams as Record<string, unknown>[])
      .filter((u) => r.hit.includes(String(u.name)))
      .map(
        (u) =>
          `${u.name} usable=${u.usable} health=${u.health} breaker=${u.breaker} lag=${u.lag} lastError=${JSON.stringify(u.lastError)}`,
      );
    const domains = Array.isArray(snap.domains)
      ? (snap.domains as { key: string; state: string }[])
          .filter((d) => d.key === r.domain || d.state !== 'closed')
          .map((d) => `${d.key} ${d.state}`)
      : [];
    parts.push(` /status at ${label} (${snap.tMs} ms): ${[...domains, ...ups].join('; ')}.`);
  }
  return parts.join('');
}
