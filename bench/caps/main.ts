#!/usr/bin/env node
// `npm run bench:caps -- [--quick] [--out DIR]`: shares by cloud and provider with routing.maxShare
// off and on, and the p50 cost; writes report.md and report.json.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hasTool, machineInfo, pinProcess } from '../proc/sys.js';
import { repoRoot } from '../targets/switchyard.js';
import { FULL_CAPS_TIMING, measureCaps, QUICK_CAPS_TIMING } from './measure.js';
import { capsMarkdown, summarizeCaps } from './report.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, out: { type: 'string' } },
  });
  const timing = values.quick ? QUICK_CAPS_TIMING : FULL_CAPS_TIMING;
  const out = resolve(values.out ?? join(repoRoot(), 'bench', 'out', `caps-${Date.now()}`));
  // As in `npm run bench`: the balancer on core 0, the load driver and the fleet on core 1.
  const pinned = machineInfo().cores >= 2 && hasTool('taskset') && pinProcess(process.pid, 1);
  const runs = await measureCaps(timing, join(out, 'work'), (r) =>
    console.log(
      `caps ${r.mode}: p50 ${r.p50Ms.toFixed(2)} ms, aws ${((r.byCloud.aws ?? 0) * 100).toFixed(1)}%`,
    ),
  );
  const summary = summarizeCaps(runs);
  const m = machineInfo();
  const machine = `Machine: ${m.cores} cores, ${m.cpuModel}; ${pinned ? 'Switchyard pinned to core 0, load and fleet to core 1' : 'not pinned'}.`;
  const options = [...(values.quick ? ['--quick'] : []), ...(values.out ? ['--out', values.out] : [])];
  const command = `npm run bench:caps${options.length ? ` -- ${options.join(' ')}` : ''}`;
  writeFileSync(join(out, 'report.md'), capsMarkdown(summary, timing, command, machine));
  writeFileSync(join(out, 'report.json'), `${JSON.stringify({ timing, runs, summary }, null, 2)}\n`);
  console.log(`wrote ${join(out, 'report.md')}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
