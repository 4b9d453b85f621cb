// The low-traffic group in report.md (issue 20): per fault one table of every target at every read
// rate (detection, failed reads, p99 and max during the fault against the baseline, recovery and the
// target's own "back in rotation" signal, the issue 20 checks on Switchyard's rows), the same per
// family for the hang on solana, bitcoin and cometbft chains, the probe traffic each target sends
// with no reads flowing, and how it was all measured.
import { familyReadMethods } from '../families/reads.js';
import type { LowTrafficRow } from '../low-traffic/analyze.js';
import { levelChecks, P99_SLACK_MS, ROTATION_BOUND_MS, rowChecks } from '../low-traffic/checks.js';
import {
  faultLabel,
  LOW_TRAFFIC_LABELS,
  LOW_TRAFFIC_LEVELS,
  type LowTrafficChain,
  type LowTrafficFaultName,
  type LowTrafficTarget,
  PREWARM_CLIENTS,
  PREWARM_MIN_LEVEL,
} from '../low-traffic/plan.js';
import type { LowTrafficSection } from '../low-traffic/run.js';
import { fmtMs, type TargetCheck } from './model.js';

const LOW_TRAFFIC_HEADING = 'Low traffic: detection at 0 / 5 / 50 / 400 reads/s';

function detectCell(r: LowTrafficRow): string {
  const f = r.figures;
  if (f.detectMs !== null) {
    if (r.target === 'switchyard') {
      const other = f.detectSource === 'log' ? f.detectStatusMs : f.detectLogMs;
      const otherName = f.detectSource === 'log' ? '/status' : 'log';
      return `${f.detectMs} (${f.detectSource === 'log' ? 'log' : '/status'}${other === null ? '' : `; ${otherName} ${other}`})`;
    }
    return `${f.detectMs} (${f.detectSource})`;
  }
  if (r.target === 'ethers') return '— (no signal)';
  if (r.target === 'viem' && f.detectHow.includes('ranked first already'))
    return '— (a healthy one ranked first)';
  return 'never';
}

function rotationCell(r: LowTrafficRow, afterMs: number): string {
  const rot = r.figures.rotation;
  switch (rot.state) {
    case 'back':
      return String(rot.ms);
    case 'not back':
      return `> ${afterMs}`;
    case 'never out':
      return 'never out';
    case 'no signal':
      return '—';
  }
}

function checksCell(r: LowTrafficRow): string {
  if (r.target !== 'switchyard') return '';
  return rowChecks(r)
    .filter((c) => c.met !== null)
    .map((c) => `${c.kind} ${c.met ? 'met' : '**MISSED**'}`)
    .join(', ');
}

/** A fault of the section: its name on its chain. */
interface FaultKey {
  name: LowTrafficFaultName;
  chain: LowTrafficChain;
}

const ofFault = (f: FaultKey) => (x: { fault: LowTrafficFaultName; chain: LowTrafficChain }) =>
  x.fault === f.name && x.chain === f.chain;

export function lowTrafficTable(s: LowTrafficSection, fault: FaultKey): string {
  const afterMs = s.timing.afterMs;
  const lines = [
    '| reads/s | target | detected, ms | failed reads | p99 in fault, ms (baseline) | max in fault, ms | first read from a healed upstream, ms | back in rotation, ms | issue 20 (Switchyard) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of s.rows.filter(ofFault(fault))) {
    const f = r.figures;
    const none = r.level === 0;
    const failed = none ? 'no reads' : `${f.failed + f.droppedReads} / ${f.reads + f.droppedReads}`;
    const p99 = none ? 'n/a' : `${fmtMs(f.p99InFaultMs)} (${fmtMs(f.baselineP99Ms)})`;
    const max = none ? 'n/a' : fmtMs(f.maxInFaultMs);
    const read = none ? 'n/a' : f.recoverReadMs === null ? `> ${afterMs}` : String(f.recoverReadMs);
    lines.push(
      `| ${r.level} | ${LOW_TRAFFIC_LABELS[r.target]} | ${detectCell(r)} | ${failed} | ${p99} | ${max} | ${read} | ${rotationCell(r, afterMs)} | ${checksCell(r)} |`,
    );
  }
  for (const k of s.skipped.filter(ofFault(fault))) {
    lines.push(`| ${k.level ?? 'all'} | ${LOW_TRAFFIC_LABELS[k.target]} | ${k.reason} | | | | | | |`);
  }
  return lines.join('\n');
}

function methods(m: Record<string, number>): string {
  const total = Object.values(m).reduce((a, b) => a + b, 0);
  if (total === 0) return '—';
  return Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${Math.round((v / total) * 100)}%`)
    .join(', ');
}

function targetOnChain(target: LowTrafficTarget, chain: LowTrafficChain): string {
  return chain === 'ethereum' ? LOW_TRAFFIC_LABELS[target] : `${LOW_TRAFFIC_LABELS[target]} (${chain})`;
}

function probeTable(s: LowTrafficSection): string {
  const lines = [
    '| target | calls/s per upstream with no reads (min–max) | per upstream | methods | window |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const p of s.probes) {
    const ups = Object.entries(p.traffic.upstreams).sort((a, b) => a[0].localeCompare(b[0]));
    const rates = ups.map(([, u]) => u.perSec);
    const all: Record<string, number> = {};
    for (const [, u] of ups) for (const [k, v] of Object.entries(u.methods)) all[k] = (all[k] ?? 0) + v;
    const range = rates.length ? `${Math.min(...rates)}–${Math.max(...rates)}` : '—';
    lines.push(
      `| ${targetOnChain(p.target, p.chain)} | ${range} | ${ups.map(([n, u]) => `${n} ${u.perSec}`).join(', ')} | ${methods(all)} | ${(p.traffic.windowMs / 1000).toFixed(1)} s |`,
    );
  }
  return lines.join('\n');
}

/** Issue 20's targets per read rate over the three faults (report.md's Targets table). */
export function lowTrafficChecks(s: LowTrafficSection | null): TargetCheck[] {
  if (!s) return [];
  const checks = levelChecks(s.rows);
  if (checks.length === 0 && s.targets.includes('switchyard')) {
    return [
      {
        source: 'issue 20',
        target: 'low traffic: Switchyard detects at every read rate',
        figure: 'not measured',
        met: null,
      },
    ];
  }
  return checks.map((c) => ({
    source: 'issue 20',
    target: `low traffic${c.scope === 'families' ? ' (solana, bitcoin, cometbft)' : ''}, ${c.level} reads/s: ${c.target}`,
    figure: c.figure,
    met: c.met,
  }));
}

export function lowTrafficMarkdown(s: LowTrafficSection): string {
  const t = s.timing;
  const out: string[] = [`## ${LOW_TRAFFIC_HEADING}`, ''];
  for (const f of s.faults) {
    const only = f.chain === 'ethereum' ? '' : ` Switchyard only, at POST /${f.chain}.`;
    out.push(
      `### ${faultLabel(f.name, f.chain)}: ${f.what}`,
      '',
      `Switchyard's domain: \`${f.domain}\`; hit: ${f.hit.join(', ')}.${only}`,
      '',
    );
    out.push(lowTrafficTable(s, f), '');
  }
  out.push('### Probe traffic with no reads flowing', '', probeTable(s), '');
  out.push(
    'Calls each upstream received from the target in the 0 reads/s runs, from the moment the target was ready until the fault ' +
      `(at least ${s.timing.probeWindowMs / 1000} s per run, summed over the faults on that chain; no reads at all), counted by the fake providers themselves. Refused connections are not calls.`,
    '',
  );
  out.push('### How this group is run', '');
  const groups = s.targets
    .map(
      (target) =>
        `${LOW_TRAFFIC_LABELS[target]} ${t.levelGroups[target].map((g) => g.join(', ')).join(' | ')}`,
    )
    .join('; ');
  out.push(
    `Per fault, target and read rate: a fresh fleet (chain id 1, 250 ms blocks; aws-use1-a/b 2 ms, gcp-euw1-a/b 6 ms, lava-1 12 ms; for the 503 fault alchemy runs aws-use1-a and gcp-euw1-a) and a fresh target pinned to core 0. ` +
      `Timeline: ${t.warmupMs / 1000} s warm-up (reads not counted), ${t.baselineMs / 1000} s baseline, ${t.faultMs / 1000} s fault, heal, ${t.afterMs / 1000} s after. ` +
      'Reads: an open loop (started at a fixed rate whatever the answers) of eth_blockNumber and eth_getBalance (the cheap half of the bench read mix), each with a 5 s client budget; none at all at 0 reads/s. ' +
      `Rates separated by "|" run one after the other, rates within a group side by side (their timelines 1 s apart, so no two faults begin or heal at the same instant), each with its own fleet and target process (all targets on core 0; fleets, load and polling on core 1): ${groups}. ` +
      `The targets of a group are started one after another; a Switchyard is then left idle until ${t.settleMs / 1000} s after the last was ready (right after /readyz it is still busy for a second or two), ` +
      `and a proxy at ${PREWARM_MIN_LEVEL} reads/s or more is first warmed by ${PREWARM_CLIENTS} closed-loop clients for ${t.prewarmMs / 1000} s, not counted (from cold, an open loop at 400 reads/s queues up behind the first slow answers for seconds, nginx's too); the low rates get no warming: the target must have seen only low traffic. ` +
      'For the proxies the bench process sends the reads; the client-side targets send them from their own pinned process, as the app would. ' +
      `viem and ethers skip ${LOW_TRAFFIC_LEVELS[LOW_TRAFFIC_LEVELS.length - 1]} reads/s: there the child process that is both the load and the library used 70% (ethers) to 97% (viem) of its core, so its latencies would measure its own queue.`,
    '',
  );
  const families = s.faults.flatMap((f) => (f.chain === 'ethereum' ? [] : [{ ...f, chain: f.chain }]));
  if (families.length > 0) {
    const reads = families.map((f) => `${f.chain} ${familyReadMethods(f.chain).join(', ')}`).join('; ');
    out.push(
      `The ${families.map((f) => f.chain).join(', ')} rows: the same hang on a family fleet of the same layout and latencies (the families group's fake nodes: slots every 400 ms, blocks every 1 s), ` +
        `Switchyard only (configured from the fleet's \`chains:\` with \`family:\` and the genesis hash or network, read at POST /<family>; nginx, HAProxy, viem and ethers do not apply), ` +
        `at ${t.familyLevelGroups.map((g) => g.join(', ')).join(' | ')} reads/s with the same timeline. Reads: the family's cycle of cheap reads (families/reads.ts: ${reads}).`,
      '',
    );
  }
  out.push(
    "- **Detected**: ms from the fault until the target shut the faulty part out. Switchyard: the fault's domain open — the earlier of the `domain_open` log line and the first answer of `GET /status` (polled every " +
      `${t.statusPollMs} ms) showing \`chains[0].domains[]\` of that key \`open\`; the cell names the earlier and gives the other. ` +
      'HAProxy: every hit server marked DOWN (its log). nginx: every hit server "temporarily disabled" (its log, after max_fails=2 failed attempts of live traffic). ' +
      'viem: its ranking (a fallback with `rank: true` tries transports in ranked order) puts an upstream the fault does not hit first; the child reads the order every ' +
      `${t.rankPollMs} ms without network traffic (a request whose fetchFn notes each transport tried and fails). ` +
      'ethers: FallbackProvider keeps no up/down state (only a provider that fails its first sync is left out), so no signal. "never": no signal during the fault.',
    `- **Failed reads**: reads without a result after the warm-up (baseline, fault and after), of all counted. **p99 / max in fault**: reads started during the fault or in flight when it began, failed ones included (a read that timed out counts its 5 s); baseline p99 (reads started and answered after the warm-up, before the fault) in parentheses.`,
    `- **First read from a healed upstream**: ms from the heal until a read started after it was answered by a hit upstream (response header for the proxies, the answering transport for the clients). "> ${t.afterMs}": not within the time measured.`,
    '- **Back in rotation**: the target\'s own signal. Switchyard: the first `/status` answer with the domain closed and every hit member `usable: true` ("never out": neither changed during the fault). HAProxy: every hit server marked UP. viem: a hit upstream ranked first again. nginx and ethers have no such signal (—).',
    `- **Issue 20** on Switchyard's rows: detected within 100 ms at ≥ 50 reads/s, 250 ms at 5, 1 s at 0; zero failed reads; p99 in fault ≤ baseline p99 + ${P99_SLACK_MS} ms; back in rotation within ${ROTATION_BOUND_MS / 1000} s of the heal (the /status signal and, where reads flow, the first read from a healed upstream). Checks that cannot apply at 0 reads/s are left out.`,
    `- **viem**: ${s.clientSettings.viem}.`,
    `- **ethers**: ${s.clientSettings.ethers}.`,
    '',
  );
  for (const n of s.notes) out.push(`> ${n}`, '');
  return out.join('\n');
}
