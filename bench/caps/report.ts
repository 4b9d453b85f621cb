// The caps bench report: shares by cloud and provider with caps off and on, and what the caps cost
// in p50 and p99 (median of the runs, with their range). Pure.
import { CAPS, type CapsRun, type CapsTiming } from './measure.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)}%`;
const ms = (x: number) => x.toFixed(2);

export interface CapsSummary {
  mode: 'off' | 'on';
  runs: number;
  requests: number;
  failed: number;
  p50Ms: { median: number; min: number; max: number };
  p99Ms: { median: number; min: number; max: number };
  byCloud: Record<string, number>;
  byProvider: Record<string, number>;
}

function mean(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records)
    for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v / records.length;
  return out;
}

export function summarizeCaps(runs: CapsRun[]): CapsSummary[] {
  return (['off', 'on'] as const).map((mode) => {
    const mine = runs.filter((r) => r.mode === mode);
    const p50 = mine.map((r) => r.p50Ms);
    const p99 = mine.map((r) => r.p99Ms);
    return {
      mode,
      runs: mine.length,
      requests: mine.reduce((n, r) => n + r.requests, 0),
      failed: mine.reduce((n, r) => n + r.failed, 0),
      p50Ms: { median: median(p50), min: Math.min(...p50), max: Math.max(...p50) },
      p99Ms: { median: median(p99), min: Math.min(...p99), max: Math.max(...p99) },
      byCloud: mean(mine.map((r) => r.byCloud)),
      byProvider: mean(mine.map((r) => r.byProvider)),
    };
  });
}

export function capsMarkdown(
  summary: CapsSummary[],
  timing: CapsTiming,
  command: string,
  machine: string,
): string {
  const clouds = [...new Set(summary.flatMap((s) => Object.keys(s.byCloud)))].sort();
  const providers = [...new Set(summary.flatMap((s) => Object.keys(s.byProvider)))].sort();
  const row = (s: CapsSummary) =>
    `| ${s.mode === 'on' ? `on (cloud ${CAPS.cloud}, provider ${CAPS.provider})` : 'off'} | ` +
    `${clouds.map((c) => pct(s.byCloud[c])).join(' | ')} | ${providers.map((p) => pct(s.byProvider[p])).join(' | ')} | ` +
    `${ms(s.p50Ms.median)} (${ms(s.p50Ms.min)}–${ms(s.p50Ms.max)}) | ${ms(s.p99Ms.median)} | ${s.failed} / ${s.requests} |`;
  const off = summary.find((s) => s.mode === 'off')!;
  const on = summary.find((s) => s.mode === 'on')!;
  return [
    '# Diversity caps (routing.maxShare): shares and cost',
    '',
    `Command: \`${command}\`. ${machine}`,
    `Standard fleet (aws/us-east-1 2 ms ×2, gcp/europe-west1 6 ms ×2, one decentralized 12 ms), ${timing.clients} closed-loop clients,`,
    `${timing.thinkMs} ms think time, the read mix of the outage scenarios; ${timing.runs} run(s) per mode, alternating off/on,`,
    `each ${timing.warmupMs / 1000} s warm-up then ${timing.measureMs / 1000} s measured. Shares are of answers, by the upstream that`,
    'answered (x-switchyard-upstream); p50/p99 are client-side latency (median of the runs, range in brackets).',
    '',
    `| caps | ${clouds.join(' | ')} | ${providers.join(' | ')} | p50 ms | p99 ms | failed / requests |`,
    `|---|${clouds.map(() => '---').join('|')}|${providers.map(() => '---').join('|')}|---|---|---|`,
    row(off),
    row(on),
    '',
    `Cost of the caps: p50 ${ms(on.p50Ms.median - off.p50Ms.median)} ms (${ms(off.p50Ms.median)} → ${ms(on.p50Ms.median)}), ` +
      `p99 ${ms(on.p99Ms.median - off.p99Ms.median)} ms: calls the fastest cloud may no longer take go to the next-fastest one.`,
    '',
  ].join('\n');
}
