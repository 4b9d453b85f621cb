// The auto-tune scenario's section of the bench report: the settled figures against the issue's
// targets (about the provider's limit, under 2 % throttled after 10 s, no failed read) and the rate
// sent to the throttling provider each second.
import type { AutoTuneResult } from './measure.js';

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** One line for the README and the terminal. */
export function autoTuneHeadline(r: AutoTuneResult): string {
  const t = r.timing;
  return (
    `auto-tune: against a provider that throttles above ${t.limitPerSecond}/s, at ${t.readsPerSecond} reads/s, ` +
    `Switchyard settled at ${r.settled.ratePerSecond.toFixed(1)}/s to it after ${t.settleSeconds} s ` +
    `(tuned rate ${r.tunedRate ?? '–'}/s), ${pct(r.settled.throttledShare)} of its attempts throttled, ` +
    `${r.total.failedReads} failed reads of ${r.total.reads}`
  );
}

export function autoTuneMarkdown(r: AutoTuneResult, command: string): string {
  const t = r.timing;
  const settledOk = Math.abs(r.settled.ratePerSecond - t.limitPerSecond) <= t.limitPerSecond * 0.15;
  const rows = r.perSecond.map(
    (s) =>
      `| ${s.second} | ${s.sentToThrottler} | ${s.throttled} | ${s.sentToSteady} | ${s.reads} | ${s.failedReads} |`,
  );
  return [
    '## Auto-tune against a throttling provider',
    '',
    `A fake provider throttles (JSON-RPC -32005, no Retry-After) every request above ${t.limitPerSecond} in any`,
    'second; a second, slower one (15 ms against 2 ms) never throttles. Switchyard runs with its defaults',
    `(\`routing.autoTune: true\`, no rate limit configured, \`cache.enabled: false\`) and gets ${t.readsPerSecond}`,
    `reads a second (open loop, eth_getBalance) for ${t.seconds} s. Health probes count in what the providers received.`,
    '',
    `Command: \`${command}\``,
    '',
    '| target | figure | met |',
    '|---|---|---|',
    `| about ${t.limitPerSecond}/s to the throttling provider after ${t.settleSeconds} s | ${r.settled.ratePerSecond.toFixed(1)}/s (tuned rate at the end: ${r.tunedRate ?? '–'}/s) | ${settledOk ? 'yes' : 'no'} |`,
    `| throttled answers under 2 % of its attempts after ${t.settleSeconds} s | ${pct(r.settled.throttledShare)} | ${r.settled.throttledShare < 0.02 ? 'yes' : 'no'} |`,
    `| zero failed reads | ${r.total.failedReads} of ${r.total.reads} | ${r.total.failedReads === 0 ? 'yes' : 'no'} |`,
    '',
    `Over the whole run (the first ${t.settleSeconds} s included): ${r.total.sentToThrottler} requests to the throttling provider, ${r.total.throttled} throttled.`,
    '',
    ...(r.failures.length
      ? ['Failed reads (first ten):', '', ...r.failures.map((f) => `- \`${f.replace(/`/g, "'")}\``), '']
      : []),
    '| second | sent to the throttling provider | throttled | sent to the steady one | reads | failed reads |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
