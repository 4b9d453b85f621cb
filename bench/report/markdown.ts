// report.md: header with the exact commands and the machine, the headline tables, the targets with
// what was met and missed, then one section per scenario and the overhead table, and the method.

import type { OverheadReport, OverheadRow } from '../overhead/run.js';
import {
  BUCKET_MS,
  FAILOVER_FACTOR,
  FAILOVER_SLACK_MS,
  ROLLING_BUCKETS,
  type ScenarioResult,
  SLOW_MS,
} from '../scenarios/analyze.js';
import { TARGET_LABELS, type TargetKind } from '../targets/target.js';
import { cometSubscriptionMarkdown } from './comet-subscriptions-markdown.js';
import { familiesMarkdown } from './families-markdown.js';
import { lowTrafficMarkdown } from './low-traffic-markdown.js';
import { type BenchReport, fmtMs, resultOf, type ScenarioSection } from './model.js';
import { subscriptionMarkdown } from './subscriptions-markdown.js';

const PEER_ORDER: TargetKind[] = ['switchyard', 'nginx', 'haproxy'];

function cell(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(v);
}

function triple(section: ScenarioSection, f: (r: ScenarioResult) => string): string {
  return PEER_ORDER.map((t) => {
    const r = resultOf(section, t);
    return r ? f(r) : '—';
  }).join(' / ');
}

/** The main outage table (also copied into the README). */
export function headlineTable(report: BenchReport): string {
  const lines = [
    `| scenario | failed reads<br>S / n / H | wrong answers<br>S / n / H | p99 in fault, ms<br>S / n / H | max in fault, ms<br>S / n / H | requests > ${SLOW_MS} ms<br>S / n / H | detect, ms<br>S / n / H | fail over, ms<br>S / n / H | recover, ms<br>S / n / H |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of report.scenarios) {
    lines.push(
      `| ${s.name} | ${triple(s, (r) => String(r.failed))} | ${triple(s, (r) => String(r.badAnswers))} | ${triple(s, (r) => fmtMs(r.phases.during.p99Ms))} | ${triple(s, (r) => fmtMs(r.phases.during.maxMs))} | ${triple(s, (r) => String(r.phases.before.slow + r.phases.during.slow + r.phases.after.slow))} | ${triple(s, (r) => cell(r.detectMs))} | ${triple(s, (r) => (r.failoverMs === null ? 'never' : String(r.failoverMs)))} | ${triple(s, (r) => (r.recoverMs === null ? `>${r.afterMs}` : String(r.recoverMs)))} |`,
    );
  }
  return `S = Switchyard, n = nginx, H = HAProxy.\n\n${lines.join('\n')}`;
}

function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): string {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return '—';
  return `${(a / b).toFixed(digits)}×`;
}

export function overheadTable(o: OverheadReport): string {
  const direct = o.rows.find((r) => r.target === 'direct' && !r.skipped);
  const nginx = o.rows.find((r) => r.target === 'nginx' && !r.skipped);
  const bare = o.rows.find((r) => r.target === 'bare' && !r.skipped);
  const lines = [
    `| target | c=1 p50 µs | c=1 p99 µs | per-hop p50 µs (c=1) | p50 µs @${o.timing.ratePerSec}/s | p99 µs @${o.timing.ratePerSec}/s | per-hop p50 µs @${o.timing.ratePerSec}/s | saturation req/s | × direct | × nginx | CPU ms / 1k req @${o.timing.ratePerSec}/s | CPU ms / 1k req saturated | × nginx (saturated) | × bare Node (saturated) | peak RSS MB | × nginx | × bare Node |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of o.rows) {
    if (r.skipped) {
      lines.push(`| ${TARGET_LABELS[r.target]} | ${r.skipped} |${' |'.repeat(15)}`);
      continue;
    }
    const hop = (row: OverheadRow | undefined, key: 'c1' | 'rate') =>
      r.target === 'direct' || !row?.[key] || r[key]?.p50Us == null || row[key]?.p50Us == null
        ? '—'
        : String(r[key]!.p50Us! - row[key]!.p50Us!);
    const range = (f: { p50Us: number | null; p50RangeUs: [number, number] | null } | undefined) =>
      !f || f.p50Us === null
        ? '—'
        : f.p50RangeUs && f.p50RangeUs[0] !== f.p50RangeUs[1]
          ? `${f.p50Us} (${f.p50RangeUs[0]}–${f.p50RangeUs[1]})`
          : String(f.p50Us);
    const sat = r.saturation
      ? r.saturation.rpsRange[0] !== r.saturation.rpsRange[1]
        ? `${r.saturation.rps} (${r.saturation.rpsRange[0]}–${r.saturation.rpsRange[1]})`
        : String(r.saturation.rps)
      : '—';
    lines.push(
      `| ${TARGET_LABELS[r.target]} | ${range(r.c1)} | ${cell(r.c1?.p99Us)} | ${hop(direct, 'c1')} | ${range(r.rate)} | ${cell(r.rate?.p99Us)} | ${hop(direct, 'rate')} | ${sat} | ${ratio(r.saturation?.rps, direct?.saturation?.rps)} | ${ratio(r.saturation?.rps, nginx?.saturation?.rps)} | ${cell(r.cpuMsPer1kAtRate)} | ${cell(r.cpuMsPer1kAtSaturation)} | ${ratio(r.cpuMsPer1kAtSaturation, nginx?.cpuMsPer1kAtSaturation, 1)} | ${ratio(r.cpuMsPer1kAtSaturation, bare?.cpuMsPer1kAtSaturation)} | ${cell(r.peakRssMb)} | ${ratio(r.peakRssMb, nginx?.peakRssMb, 1)} | ${ratio(r.peakRssMb, bare?.peakRssMb)} |`,
    );
  }
  return lines.join('\n');
}

/** The crowd row: goodput, timeouts and p99 with thousands of client connections. */
function crowdTable(o: OverheadReport): string | undefined {
  const rows = o.rows.filter((r) => r.crowd);
  if (rows.length === 0) return undefined;
  const bare = rows.find((r) => r.target === 'bare');
  const lines = [
    `| at ${rows[0]!.crowd!.connections} connections | goodput req/s (2xx) | × bare Node | timeouts (5 s) | non-2xx answers | p99 ms |`,
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const c = r.crowd!;
    const range =
      c.goodputRange[0] !== c.goodputRange[1] ? ` (${c.goodputRange[0]}–${c.goodputRange[1]})` : '';
    lines.push(
      `| ${TARGET_LABELS[r.target]} | ${c.goodputRps}${range} | ${ratio(c.goodputRps, bare?.crowd?.goodputRps)} | ${c.timeouts} | ${c.statusErrors} | ${fmtMs(c.p99Us / 1000)} |`,
    );
  }
  return lines.join('\n');
}

/** Heap allocation per request of the Node targets, from their GC trace. */
function allocationLine(o: OverheadReport): string | undefined {
  const parts = o.rows
    .filter((r) => r.allocation)
    .map(
      (r) =>
        `${TARGET_LABELS[r.target]} ${(r.allocation!.bytesPerRequest / 1024).toFixed(1)} KB (${r.allocation!.requests} requests, ${r.allocation!.gcs} GCs)`,
    );
  const failed = Object.entries(o.allocationFailures ?? {}).map(([k, why]) => `${k}: not measured (${why})`);
  if (parts.length + failed.length === 0) return undefined;
  return `Heap allocation per request (\`--trace-gc-nvp\`, sum of \`allocated=\` over a fixed request count): ${[...parts, ...failed].join('; ')}.`;
}

function scenarioDetail(s: ScenarioSection): string {
  const out: string[] = [];
  out.push(`### ${s.title}`, '', s.what, '');
  if (s.chart) out.push(`![${s.name}](${s.chart})`, '');
  for (const k of s.skipped) out.push(`- ${TARGET_LABELS[k.target]}: not run — ${k.reason}`);
  if (s.skipped.length) out.push('');
  if (s.results.length === 0) return out.join('\n');
  const rows: [string, (r: ScenarioResult) => string][] = [
    ['requests (after warm-up)', (r) => String(r.requests)],
    [
      'failed before / during / after',
      (r) => `${r.phases.before.failed} / ${r.phases.during.failed} / ${r.phases.after.failed}`,
    ],
    [
      'failure kinds (during)',
      (r) =>
        Object.entries(r.phases.during.failedBy)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '—',
    ],
    ['wrong answers (stale / wrong chain)', (r) => String(r.badAnswers)],
    [
      'p50 ms before / during / after',
      (r) =>
        `${fmtMs(r.phases.before.p50Ms)} / ${fmtMs(r.phases.during.p50Ms)} / ${fmtMs(r.phases.after.p50Ms)}`,
    ],
    [
      'p99 ms before / during / after',
      (r) =>
        `${fmtMs(r.phases.before.p99Ms)} / ${fmtMs(r.phases.during.p99Ms)} / ${fmtMs(r.phases.after.p99Ms)}`,
    ],
    [
      'max ms before / during / after',
      (r) =>
        `${fmtMs(r.phases.before.maxMs)} / ${fmtMs(r.phases.during.maxMs)} / ${fmtMs(r.phases.after.maxMs)}`,
    ],
    [
      `slower than ${SLOW_MS} ms before / during / after`,
      (r) => `${r.phases.before.slow} / ${r.phases.during.slow} / ${r.phases.after.slow}`,
    ],
    [
      'time to detect, ms',
      (r) => (r.detectMs === null ? `— (${r.detectHow}: not seen)` : `${r.detectMs} (${r.detectHow})`),
    ],
    ['time to fail over, ms', (r) => (r.failoverMs === null ? 'not within the fault' : String(r.failoverMs))],
    ['calls into the hit upstreams during the fault', (r) => String(r.deadCallsDuringFault)],
    ['… of which after detection', (r) => cell(r.deadCallsAfterDetect)],
    [
      'answers from hit upstreams before / during / after',
      (r) =>
        `${pct(r.phases.before.hitShare)} / ${pct(r.phases.during.hitShare)} / ${pct(r.phases.after.hitShare)}`,
    ],
    [
      'time to recover, ms',
      (r) => (r.recoverMs === null ? `not within ${r.afterMs} ms` : String(r.recoverMs)),
    ],
    ['domain breaker opens (Switchyard)', (r) => cell(r.domainOpens)],
    ['other load on the machine, CPU-s (noise)', (r) => cell(r.foreignCpuSec)],
  ];
  out.push(`| | ${s.results.map((r) => TARGET_LABELS[r.target]).join(' | ')} |`);
  out.push(`|---|${s.results.map(() => '---').join('|')}|`);
  for (const [label, f] of rows) out.push(`| ${label} | ${s.results.map(f).join(' | ')} |`);
  out.push('');
  const me = resultOf(s, 'switchyard');
  const during = me?.status.find((x) => x.label === 'during fault');
  if (me && during && Array.isArray(during.domains)) {
    const domains = (during.domains as { key: string; state: string; opens: number }[])
      .map((d) => `${d.key} ${d.state} (opens ${d.opens})`)
      .join(', ');
    out.push(`Switchyard /status ${during.tMs} ms into the fault: ${domains}.`, '');
  }
  return out.join('\n');
}

function pct(v: number | null): string {
  return v === null ? '—' : `${Math.round(v * 100)}%`;
}

export function renderMarkdown(report: BenchReport, appendix: Record<string, string | undefined>): string {
  const m = report.meta;
  const out: string[] = [];
  out.push(`# Switchyard benchmark — ${m.date}${m.mode === 'quick' ? ' (quick run)' : ''}`, '');
  out.push('Reproduce (from the repository root):', '', '```sh');
  for (const c of m.commands) out.push(c);
  out.push('```', '');
  out.push(
    `Machine: ${m.machine.cpuModel}, ${m.machine.cores} cores, Node ${m.machine.node}, ${m.machine.platform}. ` +
      `Tools: ${Object.entries(m.tools)
        .map(([k, v]) => `${k} ${v ?? 'MISSING'}`)
        .join(
          ', ',
        )}. ${m.pinning} Source: ${m.git ?? 'unknown'}. Total run time ${Math.round(m.durationSec)} s.`,
    '',
  );
  for (const n of m.notes) out.push(`> ${n}`, '');

  const withScenarios = report.scenarios.length > 0;
  if (withScenarios) {
    out.push('## Outage scenarios: headline', '');
    out.push(headlineTable(report), '');
    out.push(
      '"Failed" is any request without a JSON-RPC result (error object, HTTP error, transport error or no answer within 5 s), ' +
        'counted over baseline, fault and recovery. "Wrong answers" are results that were nevertheless wrong: more than 6 blocks ' +
        "(maxBlockLag 5 + 1 block to see a new head) behind the chain, or from an upstream on another chain. Detect: for Switchyard, the scenario's failure-domain breaker opened " +
        '(its log); for nginx and HAProxy, and for Switchyard where no domain should open, every hit upstream was marked down once ' +
        '(nginx "upstream server temporarily disabled", HAProxy "is DOWN", Switchyard upstream breaker, health or wrong-chain log lines). ' +
        `Fail over: from the fault start until the rolling p99 (${ROLLING_BUCKETS * BUCKET_MS} ms window) is back under ${FAILOVER_FACTOR}× the baseline p99 (or the baseline p99 + ${FAILOVER_SLACK_MS} ms, whichever is larger) for the rest of the fault ("never": still above at its end). ` +
        'Recover: a hit upstream answered a client request again after the fault ended (">N": not within the N ms that were measured).',
      '',
    );
  }
  if (report.overhead) {
    out.push('## Overhead and throughput: headline', '');
    out.push(overheadTable(report.overhead), '');
    const crowd = crowdTable(report.overhead);
    if (crowd) out.push(crowd, '');
    const allocation = allocationLine(report.overhead);
    if (allocation) out.push(allocation, '');
  }
  if (report.subscriptions) out.push(subscriptionMarkdown(report.subscriptions));
  if (report.cometSubscriptions) out.push(cometSubscriptionMarkdown(report.cometSubscriptions));
  if (report.families) out.push(familiesMarkdown(report.families));
  if (report.lowTraffic) out.push(lowTrafficMarkdown(report.lowTraffic));
  out.push('## Targets', '');
  out.push('| source | target | figure | met |', '|---|---|---|---|');
  for (const c of report.checks) {
    out.push(
      `| ${c.source} | ${c.target} | ${c.figure} | ${c.met === null ? 'n/a' : c.met ? 'yes' : '**MISSED**'} |`,
    );
  }
  out.push('');
  if (report.findings.length) {
    out.push('## What Switchyard got wrong in this run', '');
    for (const f of report.findings) out.push(`- ${f}`);
    out.push('');
  }
  if (withScenarios) {
    out.push('## Scenarios in detail', '');
    out.push(
      `Every run starts a fresh fleet (chain id 1, 250 ms blocks; aws-use1-a/b 2 ms, gcp-euw1-a/b 6 ms, lava-1 12 ms simulated latency) and a fresh proxy pinned to core 0, ` +
        'then 32 closed-loop clients (15 ms think time, read mix: eth_blockNumber 25%, eth_getBalance 30%, eth_call 30%, eth_getBlockByNumber 15%) ' +
        'warm up, measure a baseline, live through the fault and its recovery. Latency percentiles include failed requests. ' +
        'Calls into the hit upstreams are counted by the fake providers themselves and include health checks and probes.',
      '',
    );
    for (const s of report.scenarios) out.push(scenarioDetail(s), '');
  }
  if (report.overhead) {
    const o = report.overhead;
    out.push('## Overhead and throughput in detail', '');
    out.push(
      `One fake upstream (no added latency) on core 1; each proxy alone on core 0; the load driver (undici, µs timing) and wrk on core 1. ` +
        `Concurrency 1: one closed-loop client for ${o.timing.c1Ms} ms. Fixed rate: open loop at ${o.timing.ratePerSec} req/s for ${o.timing.rateMs} ms. ` +
        `Saturation: ${o.saturationTool === 'wrk' ? `wrk -t1 -c${o.timing.saturationConnections}` : `the driver with ${o.timing.saturationConnections} clients (wrk missing)`} for ${o.timing.saturationMs} ms with the same read mix. ` +
        'CPU from /proc/<pid>/stat (utime+stime, 10 ms ticks), peak RSS from VmHWM. Per-hop = target p50 − direct p50. ' +
        'The upstream and the load generator share core 1: when a proxy comes close to the direct figure, core 1 is the limit, not the proxy. ' +
        `Crowd: wrk -t1 -c${o.timing.crowdConnections} for ${o.timing.crowdMs} ms after the saturation step (Switchyard, the bare Node forwarder and nginx); goodput counts 2xx answers only; Switchyard's admission control answers 503 OVERLOADED past its bounds, counted as non-2xx. ` +
        'Bare Node forwarder: node:http + one undici Pool (64 connections), `pool.request()`, no logic (bench/targets/bare-forwarder-main.ts). ' +
        `Allocation: a separate run per Node target started with --trace-gc-nvp: 1 s warm-up, then ${o.timing.allocationRequests} requests from 32 clients; the sum of every GC's \`allocated=\` (bytes allocated since the GC before) in that window over the requests answered.`,
      '',
    );
  }
  out.push('## Peer configurations (as generated for the outage runs)', '');
  for (const [name, text] of Object.entries(appendix)) {
    if (!text) continue;
    out.push(`<details><summary>${name}</summary>`, '', '```', text.trim(), '```', '', '</details>', '');
  }
  return `${out.join('\n')}\n`;
}
