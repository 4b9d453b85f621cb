// Instructions per request, counted by valgrind's callgrind: the same count for the same code and
// load whatever else the machine is doing, where CPU time on a shared VM moves by ±15 % between runs.
// User space only (the kernel's share, mostly the socket writes, is the same for both Node targets).
// The bench's fake upstream runs normally; the target runs under callgrind (about 50× slower), gets
// WARM requests to warm its JIT, has its counters zeroed, gets N more and is dumped. Everything on
// 127.0.0.1, bounded by request counts; children stopped by pid.
// Usage (after npm run build; needs valgrind; start-up under callgrind takes minutes on a busy machine):
//   node bench/profile/instructions.mjs bare|switchyard [WARM=5000] [N=2000] [--cache]
// `--cache` adds callgrind's cache and branch simulation (misses per request; about 2× slower).
// Prints one JSON line: instructions (Ir) and, with --cache, misses per request, less what the target
// does idle over the same time (its clock-driven work), and that idle rate per second.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const [kind = 'switchyard', warm = '5000', count = '2000'] = args;
const cacheSim = process.argv.includes('--cache');
if (kind !== 'bare' && kind !== 'switchyard') {
  console.error('usage: instructions.mjs bare|switchyard [WARM] [N] [--cache]');
  process.exit(2);
}
const { startLoad } = await import(join(root, 'dist/bench/load/driver.js'));
const { readMix } = await import(join(root, 'dist/bench/load/mix.js'));
const { spawnChild } = await import(join(root, 'dist/bench/proc/child.js'));
const { switchyardConfig, switchyardNodeFlags } = await import(
  join(root, 'dist/bench/targets/switchyard.js')
);
const work = mkdtempSync(join(tmpdir(), 'switchyard-instructions-'));

/** The port a child announces on its `{"msg":"listening","port":N}` line. */
async function portOf(child, timeoutMs) {
  const ready = await child.waitForLine((line) => line.includes('"msg":"listening"'), timeoutMs);
  return JSON.parse(ready.line).port;
}

const upstream = spawnChild('upstream', process.execPath, [
  join(root, 'dist/bench/overhead/upstream-main.js'),
]);
let target;
try {
  const upstreamPort = await portOf(upstream, 10_000);
  let command;
  if (kind === 'bare') {
    command = [join(root, 'dist/bench/targets/bare-forwarder-main.js'), `http://127.0.0.1:${upstreamPort}`];
  } else {
    // The bench's own Switchyard config for the overhead runs, against this upstream.
    const upstreams = [
      {
        name: 'upstream',
        host: '127.0.0.1',
        port: upstreamPort,
        cloud: 'local',
        region: 'local',
        provider: 'fake',
      },
    ];
    const config = join(work, 'switchyard.yaml');
    writeFileSync(
      config,
      stringify(switchyardConfig({ upstreams, dir: work, chainId: 1, mode: 'overhead' })),
    );
    command = [...switchyardNodeFlags(), join(root, 'dist/src/main.js'), '--config', config];
  }
  const out = join(work, 'callgrind.out');
  target = spawnChild('valgrind', 'valgrind', [
    '--tool=callgrind',
    '--smc-check=all-non-file', // V8 writes its machine code at run time
    ...(cacheSim ? ['--cache-sim=yes', '--branch-sim=yes'] : []),
    `--callgrind-out-file=${out}`,
    process.execPath,
    ...command,
  ]);
  const url = `http://127.0.0.1:${await portOf(target, 400_000)}/`;
  // Switchyard reports ready once its health checker has seen the upstream.
  await new Promise((r) => setTimeout(r, 3000));
  const mix = readMix(3);
  const load = (n) =>
    startLoad({ url, mix, clients: 8, maxRequests: n, durationMs: 900_000, timeoutMs: 60_000 }).done;
  await load(Number(warm));
  execFileSync('callgrind_control', ['--zero', String(target.pid)], { stdio: 'ignore' });
  const t0 = performance.now();
  const measured = await load(Number(count));
  const loadMs = performance.now() - t0;
  execFileSync('callgrind_control', ['--dump', String(target.pid)], { stdio: 'ignore' });
  // Work that runs by the clock (health probes, timers) is counted per second, and under callgrind a
  // second passes every few requests: measured idle for as long, and taken off.
  execFileSync('callgrind_control', ['--zero', String(target.pid)], { stdio: 'ignore' });
  const idleFrom = performance.now();
  await new Promise((r) => setTimeout(r, Math.min(loadMs, 60_000)));
  const idleMs = performance.now() - idleFrom;
  execFileSync('callgrind_control', ['--dump', String(target.pid)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  let failed = 0;
  for (let i = 0; i < measured.n; i++) if (measured.outcome[i] !== 0) failed++;
  // One file per dump (.1: the measured window, .2: the idle one); the final one at exit is not waited for.
  const counts = (file) => {
    const text = readFileSync(join(work, file), 'utf8');
    const events = /^events: (.*)$/m.exec(text)?.[1].trim().split(/\s+/) ?? [];
    const summary = /^summary: (.*)$/m.exec(text)?.[1].trim().split(/\s+/).map(Number) ?? [];
    return new Map(events.map((e, i) => [e, summary[i] ?? 0]));
  };
  const loaded = counts('callgrind.out.1');
  const idle = counts('callgrind.out.2');
  const perRequest = {};
  const idlePerSecond = {};
  for (const [e, v] of loaded) {
    const idleRate = (idle.get(e) ?? 0) / (idleMs / 1000);
    idlePerSecond[e] = Math.round(idleRate);
    perRequest[e] = Math.round((v - idleRate * (loadMs / 1000)) / measured.n);
  }
  console.log(
    JSON.stringify({
      target: kind,
      warm: Number(warm),
      requests: measured.n,
      failed,
      perRequest,
      idlePerSecond,
    }),
  );
} finally {
  await target?.stop(5000);
  await upstream.stop();
  rmSync(work, { recursive: true, force: true });
}
