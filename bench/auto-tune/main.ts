#!/usr/bin/env node
// `npm run bench:auto-tune -- [--quick] [--out DIR]`: the auto-tune scenario alone (it also runs in
// `npm run bench`); writes report.md and report.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hasTool, machineInfo, pinProcess } from '../proc/sys.js';
import { repoRoot } from '../targets/switchyard.js';
import { FULL_AUTO_TUNE_TIMING, measureAutoTune, QUICK_AUTO_TUNE_TIMING } from './measure.js';
import { autoTuneHeadline, autoTuneMarkdown } from './report.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, out: { type: 'string' } },
  });
  const timing = values.quick ? QUICK_AUTO_TUNE_TIMING : FULL_AUTO_TUNE_TIMING;
  const root = repoRoot();
  const out = resolve(values.out ?? join(root, 'bench', 'out', `auto-tune-${Date.now()}`));
  mkdirSync(out, { recursive: true });
  // As in `npm run bench`: Switchyard on core 0 (measure.ts), the load driver and the fakes on core 1.
  const m = machineInfo();
  const pinned = m.cores >= 2 && hasTool('taskset') && pinProcess(process.pid, 1);
  const result = await measureAutoTune(timing, join(out, 'work'));
  const options = [
    ...(values.quick ? ['--quick'] : []),
    ...(values.out ? ['--out', relative(root, out)] : []),
  ];
  const command = `npm run build && npm run bench:auto-tune${options.length ? ` -- ${options.join(' ')}` : ''}`;
  const machine = `Machine: ${m.cores} cores, ${m.cpuModel}; ${pinned ? 'Switchyard pinned to core 0, load and fakes to core 1' : 'not pinned'}; other engineers' work shared the machine.`;
  writeFileSync(
    join(out, 'report.md'),
    `# Auto-tune bench\n\n${machine}\n\n${autoTuneMarkdown(result, command)}`,
  );
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(result, null, 1)}\n`);
  rmSync(join(out, 'work'), { recursive: true, force: true });
  console.log(autoTuneHeadline(result));
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
