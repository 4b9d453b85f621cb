// The fleet-mode part of the bench report (`--fleet`): saturation on both cores and fleet detection
// time, as markdown tables and as the JSON written next to report.json.
import type { DetectionRow } from './detection.js';
import type { SaturationRow } from './saturation.js';

export interface FleetBenchReport {
  saturation: { rows: SaturationRow[]; tool: string; rounds: number; seconds: number; connections: number };
  detection: { rows: DetectionRow[]; trials: number };
  durationSec: number;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v} ms`);

export function fleetMarkdown(r: FleetBenchReport): string {
  const s = r.saturation;
  const sat = s.rows.map((row) =>
    row.skipped
      ? `| ${row.target} | skipped: ${row.skipped} | | | |`
      : `| ${row.target} | ${row.rps} (${row.rpsRange![0]}–${row.rpsRange![1]}) | ${row.errors} | ${Math.round(row.p50Us! / 10) / 100} ms | ${Math.round(row.p99Us! / 10) / 100} ms |`,
  );
  const det = r.detection.rows.map((row) =>
    row.skipped
      ? `| ${row.setup} | skipped: ${row.skipped} | | | |`
      : `| ${row.setup} | ${row.complete}/${row.trials} | ${ms(row.firstOpenMs)} | ${ms(row.spreadMs)} | ${ms(row.worstSpreadMs)} |`,
  );
  return `## Fleet mode and workers (\`--fleet\`)

### Saturation on both cores

Every process may use both cores (nothing pinned): the proxy, one fake upstream and wrk (${s.connections}
connections, ${s.seconds} s per round, ${s.rounds} round(s) interleaved, median and range of successful
requests per second). nginx runs \`worker_processes 2\`; Switchyard \`server.workers: 2\` (and 1 for reference).

| target | req/s (range) | errors | p50 | p99 |
|---|---|---|---|---|
${sat.join('\n')}

### Fleet detection time

Three Switchyard processes on the simulated fleet, one redis-server; aws/us-east-1 starts refusing connections.
"Spread" is first instance opens the region → last instance opens it (the processes' own log
timestamps); "first open" is fault → first instance opens. ${r.detection.trials} trial(s) per setup,
median (and worst spread); a trial is complete when all three opened within 4 s.

| setup | complete | first open | spread (median) | spread (worst) |
|---|---|---|---|---|
${det.join('\n')}

Fleet part: ${Math.round(r.durationSec)} s.
`;
}
