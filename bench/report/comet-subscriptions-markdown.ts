// The subscription scenario's CometBFT rows in report.md: Switchyard beside nginx pinned to one node.
import type { CometSubscriptionSection } from '../subscriptions/comet-run.js';

const LABELS = { switchyard: 'Switchyard', nginx: 'nginx pinned to one upstream' } as const;

export function cometSubscriptionTable(s: CometSubscriptionSection): string {
  const rows: [string, (f: CometSubscriptionSection['results'][number]['figures']) => string][] = [
    ['cometbft: heights in the window', (f) => String(f.heights)],
    ['cometbft: heights missed', (f) => String(f.missed)],
    ['cometbft: heights duplicated', (f) => String(f.duplicated)],
    ['cometbft: heights out of order', (f) => String(f.outOfOrder)],
    [
      'cometbft: late — delay from production, ms p50 / p99 / max',
      (f) => (f.delay ? `${f.delay.p50Ms} / ${f.delay.p99Ms} / ${f.delay.maxMs}` : '—'),
    ],
    ['cometbft: connections opened (failed attempts)', (f) => `${f.connections} (${f.failedAttempts})`],
  ];
  const lines = [
    `| | ${s.results.map((r) => LABELS[r.target]).join(' | ')} |`,
    `|---|${s.results.map(() => '---').join('|')}|`,
  ];
  for (const [label, cell] of rows)
    lines.push(`| ${label} | ${s.results.map((r) => cell(r.figures)).join(' | ')} |`);
  return lines.join('\n');
}

export function cometSubscriptionMarkdown(s: CometSubscriptionSection): string {
  const out = [`## ${s.title}`, '', s.what, ''];
  out.push(
    `Timeline (ms into the measured window, heights ${s.window.fromHeight}–${s.window.toHeight}): ${s.steps.map((st) => `${st.tMs} ${st.label}`).join('; ')}.`,
    '',
  );
  for (const k of s.skipped) out.push(`- ${LABELS[k.target]}: not run — ${k.reason}`, '');
  if (s.results.length > 0) out.push(cometSubscriptionTable(s), '');
  out.push(
    'Missed: heights in the window whose NewBlock never arrived. Duplicated: a height delivered again. Out of order: a height after a higher one. ' +
      'Late: first delivery of each height minus the moment the fake chain produced it (a backfilled height is as late as the outage was long).',
    '',
  );
  return out.join('\n');
}
