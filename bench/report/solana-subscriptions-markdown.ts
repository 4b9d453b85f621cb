// The subscription scenario's Solana rows in report.md: Switchyard beside nginx pinned to one node.
import type { DelaySummary } from '../subscriptions/analyze.js';
import type { SolanaSubscriptionSection, SolanaTargetResult } from '../subscriptions/solana-run.js';
import type { TargetCheck } from './model.js';

const LABELS: Record<SolanaTargetResult['target'], string> = {
  switchyard: 'Switchyard',
  nginx: 'nginx pinned to one node',
};

function delay(d: DelaySummary | null): string {
  return d ? `${d.p50Ms} / ${d.p99Ms} / ${d.maxMs}` : '—';
}

export function solanaTable(s: SolanaSubscriptionSection): string {
  const rows: [string, (r: SolanaTargetResult) => string][] = [
    ['slots with a block in the window', (r) => String(r.figures.slots)],
    ['slots missed', (r) => String(r.figures.slotsMissed)],
    ['slots duplicated', (r) => String(r.figures.slotsDuplicated)],
    ['slot delay after the cluster reached it, ms p50 / p99 / max', (r) => delay(r.figures.slotDelay)],
    [
      'slot delay after the fastest upstream announced it, ms p50 / p99 / max',
      (r) => delay(r.figures.slotDelayFromFastest),
    ],
    ['account writes', (r) => String(r.figures.writes)],
    ['account writes missed', (r) => String(r.figures.writesMissed)],
    ['account notifications duplicated', (r) => String(r.figures.writesDuplicated)],
    ['final account state delivered', (r) => (r.figures.finalStateDelivered ? 'yes' : 'no')],
    ['transactions sent', (r) => String(r.figures.signatures)],
    ['signatures never notified', (r) => String(r.figures.signaturesMissed)],
    ['signatures notified twice or more', (r) => String(r.figures.signaturesDuplicated)],
    ['signature delay after "confirmed", ms p50 / p99 / max', (r) => delay(r.figures.signatureDelay)],
    ['connections opened (failed attempts)', (r) => `${r.figures.connections} (${r.figures.failedAttempts})`],
  ];
  const lines = [
    `| Solana | ${s.results.map((r) => LABELS[r.target]).join(' | ')} |`,
    `|---|${s.results.map(() => '---').join('|')}|`,
  ];
  for (const [label, f] of rows)
    lines.push(`| ${label} | ${s.results.map((r) => (r.unavailable ? '—' : f(r))).join(' | ')} |`);
  return lines.join('\n');
}

export function solanaMarkdown(s: SolanaSubscriptionSection): string {
  const out = ['### Solana subscriptions through the same kind of outage', '', s.what, ''];
  out.push(
    `Timeline (ms into the measured window): ${s.steps.map((st) => `${st.tMs} ${st.label}`).join('; ')}.`,
    '',
  );
  for (const k of s.skipped) out.push(`- ${LABELS[k.target]}: not run — ${k.reason}`);
  if (s.skipped.length) out.push('');
  if (s.results.length) out.push(solanaTable(s), '');
  out.push(
    'Missed slots: slots with a block the cluster reached in the window that never arrived. Account writes: each write has its own ' +
      'lamports value; missed: never delivered, duplicated: delivered again. Signatures: transactions that landed (sent to a node of ' +
      'the other region) whose signatureNotification never came, or came twice; delay from the slot that confirmed them. ' +
      'Delay after the fastest upstream: from the first slotNotification any PubSub node sent for that slot to its arrival at the ' +
      'client (slots no node announced, such as those polled while every socket was down, are not counted).',
    '',
  );
  return out.join('\n');
}

/** Issue 23: Switchyard's slot notifications within 10 ms (p99) of the fastest upstream. */
export function solanaSlotCheck(s: SolanaSubscriptionSection | null | undefined): TargetCheck[] {
  if (!s) return [];
  const target = 'Solana slotSubscribe: notifications within 10 ms (p99) of the fastest upstream';
  const me = s.results.find((r) => r.target === 'switchyard');
  const d = me && !me.unavailable ? me.figures.slotDelayFromFastest : null;
  if (!me || me.unavailable || !d) {
    const reason =
      me?.unavailable ?? s.skipped.find((k) => k.target === 'switchyard')?.reason ?? 'no slot delivered';
    return [{ source: 'issue 23', target, figure: `not measured: ${reason}`, met: null }];
  }
  return [
    {
      source: 'issue 23',
      target,
      figure: `p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms, max ${d.maxMs} ms`,
      met: d.p99Ms <= 10,
    },
  ];
}
