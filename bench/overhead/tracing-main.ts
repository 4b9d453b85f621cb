// `node dist/bench/overhead/tracing-main.js --out DIR [--before MAIN.js] [--rounds N] [--seconds S]`:
// the cost of OpenTelemetry tracing (issue 24) on the hot path. One fake upstream; Switchyard pinned
// to core 0, the upstream, wrk and a local OTLP/HTTP sink on core 1. Variants, interleaved per round:
//   before        the code before tracing existed (--before: its dist/src/main.js), no tracing key
//   absent        this code, no `tracing` key: nothing of it loaded (the claim: same as before)
//   sampled 1 %   `tracing: { sampleRate: 0.01 }` to the sink
//   sampled 100 % every call traced and exported
// Each: a 2 s warm-up at 32 connections, then wrk -c32 for the measured seconds (saturation req/s,
// p50/p99) with the process's CPU (utime+stime) per 1,000 requests, then wrk -c1 (latency at
// concurrency 1). Medians over the rounds, with the per-round range. Writes report.json and report.md.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { sleep } from '../load/stats.js';
import { spawnChild } from '../proc/child.js';
import { cpuSnapshot, cpuTimeMs, foreignCpuSec, hasTool, machineInfo } from '../proc/sys.js';
import { repoRoot, switchyardMain, switchyardNodeFlags } from '../targets/switchyard.js';
import { runWrk } from './wrk.js';

interface Variant {
  name: string;
  main: string;
  tracing: Record<string, unknown> | undefined;
}

interface Sample {
  rps: number;
  cpuMsPer1k: number;
  p50Us: number;
  p99Us: number;
  c1P50Us: number;
  c1P99Us: number;
  errors: number;
}

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    before: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
if (!hasTool('wrk')) throw new Error('wrk is required (apt-get install -y wrk)');
const out = resolve(values.out);
const rounds = Number(values.rounds ?? 3);
const seconds = Number(values.seconds ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-tracing-bench-'));

// The OTLP/HTTP sink: reads each export whole and answers 200, counting spans by their ids.
let spansReceived = 0;
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    spansReceived += body.split('"spanId"').length - 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise<void>((done) => sink.listen(0, '127.0.0.1', done));
const otlp = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const upstream = spawnChild(
  'upstream',
  process.execPath,
  [join(repoRoot(), 'dist', 'bench', 'overhead', 'upstream-main.js')],
  { core: 1 },
);
const upstreamPort = (
  JSON.parse((await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)).line) as { port: number }
).port;

const variants: Variant[] = [
  ...(values.before
    ? [{ name: 'before (no tracing code)', main: resolve(values.before), tracing: undefined }]
    : []),
  { name: 'tracing absent', main: switchyardMain(), tracing: undefined },
  { name: 'tracing, 1 % sampled', main: switchyardMain(), tracing: { otlp, sampleRate: 0.01 } },
  { name: 'tracing, 100 % sampled', main: switchyardMain(), tracing: { otlp, sampleRate: 1 } },
];

async function measure(variant: Variant, round: number): Promise<Sample> {
  const file = join(dir, `switchyard-${round}-${variants.indexOf(variant)}.yaml`);
  writeFileSync(
    file,
    stringify({
      server: { host: '127.0.0.1', port: 0 },
      logging: { level: 'info' },
      cache: { enabled: false },
      ...(variant.tracing ? { tracing: variant.tracing } : {}),
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
          upstreams: [
            {
              name: 'upstream',
              url: `http://127.0.0.1:${upstreamPort}/`,
              cloud: 'c',
              region: 'r',
              provider: 'p',
            },
          ],
        },
      ],
    }),
  );
  const child = spawnChild(
    'switchyard',
    process.execPath,
    [...switchyardNodeFlags(variant.main), variant.main, '--config', file],
    { core: 0 },
  );
  try {
    const ready = await child.waitForLine((l) => l.includes('"msg":"listening"'), 10_000);
    const url = `http://127.0.0.1:${(JSON.parse(ready.line) as { port: number }).port}/`;
    // The health checker's first round: the upstream is usable before the warm-up starts.
    await sleep(1500);
    await runWrk(url, { connections: 32, durationMs: 2000, maxRequests: 10_000_000, dir, core: 1 });
    const cpuBefore = cpuTimeMs(child.pid) ?? 0;
    const sat = await runWrk(url, {
      connections: 32,
      durationMs: seconds * 1000,
      maxRequests: 10_000_000,
      dir,
      core: 1,
    });
    const cpu = (cpuTimeMs(child.pid) ?? 0) - cpuBefore;
    const c1 = await runWrk(url, { connections: 1, durationMs: 3000, maxRequests: 10_000_000, dir, core: 1 });
    return {
      rps: sat.rps,
      cpuMsPer1k: (cpu * 1000) / Math.max(1, sat.requests - sat.errors),
      p50Us: sat.p50Us,
      p99Us: sat.p99Us,
      c1P50Us: c1.p50Us,
      c1P99Us: c1.p99Us,
      errors: sat.errors + c1.errors,
    };
  } finally {
    await child.stop(3000);
  }
}

const started = Date.now();
const cpuStart = cpuSnapshot();
const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    const sample = await measure(variant, round);
    samples.get(variant.name)!.push(sample);
    console.log(JSON.stringify({ round, variant: variant.name, ...sample }));
  }
}
const foreign = foreignCpuSec(cpuStart, cpuSnapshot());
await upstream.stop(2000);
sink.close();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fig = (xs: number[], digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
const baseline = variants.find((v) => v.name.startsWith('before')) ?? variants[0]!;
const baseRps = median(samples.get(baseline.name)!.map((s) => s.rps));
const baseCpu = median(samples.get(baseline.name)!.map((s) => s.cpuMsPer1k));
const rows = variants.map((v) => {
  const s = samples.get(v.name)!;
  return {
    variant: v.name,
    rps: fig(s.map((x) => x.rps)),
    rpsRatio: (median(s.map((x) => x.rps)) / baseRps).toFixed(3),
    cpu: fig(
      s.map((x) => x.cpuMsPer1k),
      1,
    ),
    cpuRatio: (median(s.map((x) => x.cpuMsPer1k)) / baseCpu).toFixed(3),
    p50: fig(s.map((x) => x.p50Us)),
    p99: fig(s.map((x) => x.p99Us)),
    c1p50: fig(s.map((x) => x.c1P50Us)),
    errors: s.reduce((n, x) => n + x.errors, 0),
  };
});
mkdirSync(out, { recursive: true });
const machine = machineInfo();
writeFileSync(
  join(out, 'report.json'),
  `${JSON.stringify({ machine, rounds, seconds, spansReceived, foreignCpuSec: foreign, samples: Object.fromEntries(samples), rows }, null, 2)}\n`,
);
const md = [
  '# Tracing overhead — 2026-12-07',
  '',
  'Reproduce (from the repository root, after `npm run build`; `--before` is the `dist/src/main.js` of the',
  'commit before tracing, built in its own checkout):',
  '',
  '```sh',
  `node dist/bench/overhead/tracing-main.js --rounds ${rounds} --seconds ${seconds} --before ../before/dist/src/main.js --out bench/results/2026-12-07-tracing-overhead`,
  '```',
  '',
  `Machine: ${JSON.stringify(machine)}. Switchyard pinned to core 0; the upstream, wrk and the OTLP sink on core 1.`,
  `Rounds interleaved: ${rounds}; ${seconds} s of \`wrk -t1 -c32\` each, after a 2 s warm-up; then 3 s of \`wrk -c1\`.`,
  `Total run time ${((Date.now() - started) / 1000).toFixed(0)} s; other processes used ${foreign ?? '?'} CPU-s meanwhile. Spans received by the sink: ${spansReceived}.`,
  '',
  `Ratios are to **${baseline.name}** in the same run (medians; the range over rounds in brackets).`,
  '',
  '| variant | saturation req/s | × baseline | CPU ms / 1k req | × baseline | p50 µs (c=32) | p99 µs (c=32) | p50 µs (c=1) | errors |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.variant} | ${r.rps} | ${r.rpsRatio}× | ${r.cpu} | ${r.cpuRatio}× | ${r.p50} | ${r.p99} | ${r.c1p50} | ${r.errors} |`,
  ),
  '',
].join('\n');
writeFileSync(join(out, 'report.md'), md);
console.log(md);
process.exit(0);
