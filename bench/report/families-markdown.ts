// The families scenario group in report.md: one table per family and target (reads, failed reads,
// p50/p99/max during the fault, requests > 500 ms), and a paragraph saying how it was run.
import { FAMILY_SLOW_MS } from '../families/analyze.js';
import type { FamiliesSection, FamilyResult } from '../families/run.js';
import { fmtMs } from './model.js';

const LABELS: Record<FamilyResult['target'], string> = { switchyard: 'Switchyard', nginx: 'nginx' };

function share(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}

export function familiesTable(s: FamiliesSection): string {
  const lines = [
    `| family | target | reads | failed reads | p50 in fault, ms | p99 in fault, ms | max in fault, ms | requests > ${FAMILY_SLOW_MS} ms | answered by aws/us-east-1 in fault |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of s.results) {
    const f = r.figures;
    lines.push(
      `| ${r.family} | ${LABELS[r.target]} | ${f.reads} | ${f.failed} | ${fmtMs(f.p50InFaultMs)} | ${fmtMs(f.p99InFaultMs)} | ${fmtMs(f.maxInFaultMs)} | ${f.slow} | ${share(f.hitShareInFault)} |`,
    );
  }
  for (const k of s.skipped) lines.push(`| ${k.family} | ${LABELS[k.target]} | ${k.reason} | | | | | | |`);
  return lines.join('\n');
}

export function familiesMarkdown(s: FamiliesSection): string {
  const t = s.timing;
  const reads = Object.entries(s.reads)
    .map(([family, methods]) => `${family}: ${methods.join(', ')}`)
    .join('; ');
  return [
    '## Families: a region outage on Solana, Bitcoin and CometBFT chains',
    '',
    familiesTable(s),
    '',
    `Per family, one fleet of fake nodes with the real answer shapes (src/simulation/family-fleet.ts): aws-use1-a/b (2 ms), gcp-euw1-a/b (6 ms), lava-1 (12 ms). ` +
      `Per target a fresh proxy pinned to core 0: Switchyard configured from \`fleet.upstreamsYaml(family)\` (\`family:\` and the genesis hash or network) with its defaults but the cache off; ` +
      'nginx with the failover config of the outage scenarios (least_conn over all five, max_fails=2 fail_timeout=2s, next upstream on error/timeout/502-504, 1 s timeouts). ' +
      `${t.clients} closed-loop clients (${t.thinkMs} ms think time) send the family's reads in a fixed cycle (${reads}); ` +
      `${t.warmupMs / 1000} s warm-up (not counted), ${t.baselineMs / 1000} s baseline, fault: ${s.fault}, ${t.afterMs / 1000} s after. ` +
      `Reads, failed reads and requests > ${FAMILY_SLOW_MS} ms are counted over baseline, fault and recovery; p50/p99/max are of the reads sent during the fault, failed ones included. ` +
      'Failed: no JSON-RPC result (error object, HTTP error, transport error, or no answer within 5 s). ' +
      '"Answered by aws/us-east-1 in fault": share of the answered fault-window reads whose answering upstream (response header) was a hung node, i.e. answered before the hang took hold.',
    '',
  ].join('\n');
}
