// The subscription scenario in report.md: one table (Switchyard beside nginx pinned to one upstream),
// a short paragraph saying what it shows, and the issue 11 checks on Switchyard's figures.

import type { DelaySummary } from '../subscriptions/analyze.js';
import type { SubscriptionSection, SubscriptionTargetResult } from '../subscriptions/run.js';
import type { TargetCheck } from './model.js';
import { solanaMarkdown, solanaSlotCheck } from './solana-subscriptions-markdown.js';

const LABELS: Record<SubscriptionTargetResult['target'], string> = {
  switchyard: 'Switchyard',
  nginx: 'nginx pinned to one upstream',
};

function delay(d: DelaySummary | null): string {
  return d ? `${d.p50Ms} / ${d.p99Ms} / ${d.maxMs}` : '—';
}

export function subscriptionTable(s: SubscriptionSection): string {
  const rows: [string, (r: SubscriptionTargetResult) => string][] = [
    ['canonical blocks in the window', (r) => String(r.figures.blocks)],
    ['blocks missed', (r) => String(r.figures.blocksMissed)],
    ['blocks duplicated', (r) => String(r.figures.blocksDuplicated)],
    ['blocks out of order', (r) => String(r.figures.blocksOutOfOrder)],
    ['head delay from production, ms p50 / p99 / max', (r) => delay(r.figures.headDelay)],
    ['matching canonical logs', (r) => String(r.figures.logs)],
    ['logs missed', (r) => String(r.figures.logsMissed)],
    ['logs duplicated', (r) => String(r.figures.logsDuplicated)],
    [
      'removed:true for orphaned logs received / owed',
      (r) => `${r.figures.removedReceived} / ${r.figures.removedOwed}`,
    ],
    ['connections opened (failed attempts)', (r) => `${r.figures.connections} (${r.figures.failedAttempts})`],
    ['subscription ids seen', (r) => String(r.figures.distinctSubscriptionIds)],
    ['same connection and ids throughout', (r) => (r.figures.sameConnectionAndIds ? 'yes' : 'no')],
  ];
  const results = s.results;
  const lines = [
    `| | ${results.map((r) => LABELS[r.target]).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
  ];
  for (const [label, f] of rows) {
    lines.push(`| ${label} | ${results.map((r) => (r.unavailable ? '—' : f(r))).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** A few plain sentences on what the figures say. */
function subscriptionParagraph(s: SubscriptionSection): string {
  const parts: string[] = [];
  for (const r of s.results) {
    const f = r.figures;
    if (r.unavailable) {
      parts.push(`${LABELS[r.target]} delivered nothing: ${r.unavailable}.`);
      continue;
    }
    const lost = f.blocksMissed + f.logsMissed + f.blocksDuplicated + f.logsDuplicated + f.blocksOutOfOrder;
    const removals =
      f.removedOwed === 0
        ? 'no orphaned log had been delivered'
        : `${f.removedReceived} of ${f.removedOwed} owed removed:true logs arrived`;
    parts.push(
      lost === 0
        ? `${LABELS[r.target]} delivered all ${f.blocks} canonical blocks and ${f.logs} logs once and in order over ${f.connections} connection(s); ${removals}; head p99 ${f.headDelay?.p99Ms ?? '—'} ms after production.`
        : `${LABELS[r.target]} missed ${f.blocksMissed} of ${f.blocks} blocks and ${f.logsMissed} of ${f.logs} logs (duplicates ${f.blocksDuplicated} blocks / ${f.logsDuplicated} logs, ${f.blocksOutOfOrder} out of order), over ${f.connections} connection(s) and ${f.failedAttempts} failed attempts (last: ${f.lastFailure ?? '—'}); ${removals}.`,
    );
  }
  return parts.join(' ');
}

export function subscriptionMarkdown(s: SubscriptionSection): string {
  const out: string[] = [`## ${s.title}`, '', s.what, ''];
  out.push(
    `Timeline (ms into the measured window, heights ${s.window.fromHeight}–${s.window.toHeight}): ${s.steps.map((st) => `${st.tMs} ${st.label}`).join('; ')}.`,
    '',
  );
  for (const k of s.skipped) out.push(`- ${LABELS[k.target]}: not run — ${k.reason}`);
  if (s.skipped.length) out.push('');
  if (s.results.length > 0) out.push(subscriptionTable(s), '', subscriptionParagraph(s), '');
  out.push(
    'Missed: canonical heights (final chain, after the reorg) whose block never arrived on newHeads, and matching canonical logs that never arrived. ' +
      'Duplicated: the same block hash or log (block hash + log index, removed:false) delivered again. Out of order: a canonical block after a higher one. ' +
      'Owed removed:true: logs of orphaned blocks the subscriber had received. Head delay: first delivery of each canonical block minus the moment the simulated chain produced it. ' +
      "geth's newHeads announces only the new head on a reorg, so a pinned client misses the other replaced heights.",
    '',
  );
  if (s.solana) out.push(solanaMarkdown(s.solana));
  return out.join('\n');
}

export function subscriptionChecks(s: SubscriptionSection | null): TargetCheck[] {
  const me = s?.results.find((r) => r.target === 'switchyard');
  if (!s) return [];
  const target =
    'subscriptions: every canonical block and log once, in order, removed:true on reorg, same connection and ids';
  if (!me || me.unavailable) {
    const reason = me?.unavailable ?? s.skipped.find((k) => k.target === 'switchyard')?.reason ?? 'not run';
    return [
      { source: 'issue 11', target, figure: `not measured: ${reason}`, met: null },
      ...solanaSlotCheck(s.solana),
    ];
  }
  const f = me.figures;
  const met =
    f.blocksMissed === 0 &&
    f.blocksDuplicated === 0 &&
    f.blocksOutOfOrder === 0 &&
    f.logsMissed === 0 &&
    f.logsDuplicated === 0 &&
    f.removedReceived === f.removedOwed &&
    f.sameConnectionAndIds;
  return [
    {
      source: 'issue 11',
      target,
      figure: `missed ${f.blocksMissed} blocks / ${f.logsMissed} logs, duplicated ${f.blocksDuplicated} / ${f.logsDuplicated}, out of order ${f.blocksOutOfOrder}, removed ${f.removedReceived}/${f.removedOwed}, connections ${f.connections}, ids ${f.distinctSubscriptionIds}`,
      met,
    },
    ...solanaSlotCheck(s.solana),
  ];
}
