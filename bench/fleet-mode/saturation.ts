// Saturation on all cores (issue 13): Switchyard with `server.workers: 2` against nginx with
// `worker_processes 2`, one fake upstream, wrk; Switchyard with one worker as the reference. Nothing
// is pinned to one core here (every process may use cores 0 and 1), so the proxies, the upstream and
// wrk compete for the same two cores, as they would on a two-core host. Rounds are interleaved.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { median, sleep } from '../load/stats.js';
import { runWrk } from '../overhead/wrk.js';
import { type Child, spawnChild } from '../proc/child.js';
import { freePort, hasTool } from '../proc/sys.js';
import { nginxConfig, waitForPort } from '../targets/nginx.js';
import { repoRoot, switchyardConfig, switchyardMain, switchyardNodeFlags } from '../targets/switchyard.js';
import type { UpstreamRef } from '../targets/target.js';

type SaturationTarget = 'switchyard-2-workers' | 'nginx-2-workers' | 'switchyard-1-worker';
const SATURATION_TARGETS: SaturationTarget[] = [
  'switchyard-2-workers',
  'nginx-2-workers',
  'switchyard-1-worker',
];
const ALL_CORES = '0,1';

export interface SaturationRow {
  target: SaturationTarget;
  skipped?: string;
  /** Median and range over rounds of successful requests per second. */
  rps?: number;
  rpsRange?: [number, number];
  errors?: number;
  p50Us?: number;
  p99Us?: number;
}

interface Running {
  url: string;
  stop(): Promise<void>;
}

async function startSwitchyardWorkers(
  upstreams: UpstreamRef[],
  dir: string,
  workers: number,
): Promise<Running> {
  const file = join(dir, `switchyard-${workers}w.yaml`);
  const config = switchyardConfig(
    { upstreams, dir, chainId: 1, mode: 'overhead' },
    { config: { server: { host: '127.0.0.1', port: 0, workers } } },
  );
  writeFileSync(file, stringify(config));
  const child: Child = spawnChild(
    `switchyard-${workers}w`,
    process.execPath,
    [...switchyardNodeFlags(), switchyardMain(), '--config', file],
    { core: ALL_CORES },
  );
  const listening = await child.waitForLine((l) => l.includes('"msg":"listening"'), 15_000);
  if (workers > 1) await child.waitForLine((l) => l.includes('"msg":"workers ready"'), 15_000);
  const port = (JSON.parse(listening.line) as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.stop(5000) };
}

async function startNginxWorkers(upstreams: UpstreamRef[], dir: string): Promise<Running> {
  const ndir = join(dir, 'nginx-2w');
  mkdirSync(ndir, { recursive: true });
  const port = await freePort();
  const file = join(ndir, 'nginx.conf');
  writeFileSync(file, nginxConfig(upstreams, port, ndir, 'overhead', 2));
  const child = spawnChild('nginx-2w', 'nginx', ['-p', ndir, '-e', 'stderr', '-c', file], {
    core: ALL_CORES,
  });
  await waitForPort(port, child.exited, 'nginx', () => child.lines.map((l) => l.line).join('\n'));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.stop(3000) };
}

export async function runSaturation(
  dir: string,
  opts: { rounds: number; seconds: number; connections: number },
  onStep: (label: string) => void = () => {},
): Promise<{ rows: SaturationRow[]; tool: string }> {
  mkdirSync(dir, { recursive: true });
  if (!hasTool('wrk')) {
    return {
      rows: SATURATION_TARGETS.map((target) => ({ target, skipped: 'wrk is not installed' })),
      tool: 'wrk',
    };
  }
  const upstreamMain = join(repoRoot(), 'dist', 'bench', 'overhead', 'upstream-main.js');
  const upstream = spawnChild('saturation-upstream', process.execPath, [upstreamMain], { core: ALL_CORES });
  const rounds = new Map<SaturationTarget, { rps: number; errors: number; p50Us: number; p99Us: number }[]>();
  const skipped = new Map<SaturationTarget, string>();
  try {
    const ready = await upstream.waitForLine((l) => l.includes('"msg":"listening"'), 10_000);
    const port = (JSON.parse(ready.line) as { port: number }).port;
    const upstreams = [
      { name: 'upstream', host: '127.0.0.1', port, cloud: 'local', region: 'local', provider: 'fake' },
    ];
    for (let round = 0; round < opts.rounds; round++) {
      for (const target of SATURATION_TARGETS) {
        if (skipped.has(target)) continue;
        if (target === 'nginx-2-workers' && !hasTool('nginx')) {
          skipped.set(target, 'nginx is not installed');
          continue;
        }
        onStep(`${target} (round ${round + 1}/${opts.rounds})`);
        let running: Running | undefined;
        try {
          running =
            target === 'nginx-2-workers'
              ? await startNginxWorkers(upstreams, dir)
              : await startSwitchyardWorkers(upstreams, dir, target === 'switchyard-2-workers' ? 2 : 1);
          // Warm-up: JIT, pools, upstream keep-alive.
          await runWrk(running.url, {
            connections: opts.connections,
            durationMs: 1000,
            maxRequests: 2_000_000,
            dir,
            core: ALL_CORES,
          });
          const w = await runWrk(running.url, {
            connections: opts.connections,
            durationMs: opts.seconds * 1000,
            maxRequests: 5_000_000,
            dir,
            core: ALL_CORES,
          });
          rounds.set(target, [
            ...(rounds.get(target) ?? []),
            { rps: Math.round(w.rps), errors: w.errors, p50Us: w.p50Us, p99Us: w.p99Us },
          ]);
        } catch (err) {
          skipped.set(target, `failed: ${(err as Error).message.split('\n')[0]}`);
        } finally {
          await running?.stop().catch(() => {});
          await sleep(300);
        }
      }
    }
  } finally {
    await upstream.stop();
  }
  const rows = SATURATION_TARGETS.map((target): SaturationRow => {
    const list = rounds.get(target) ?? [];
    if (list.length === 0) return { target, skipped: skipped.get(target) ?? 'not measured' };
    const rpss = list.map((r) => r.rps);
    return {
      target,
      rps: median(rpss)!,
      rpsRange: [Math.min(...rpss), Math.max(...rpss)],
      errors: list.reduce((n, r) => n + r.errors, 0),
      p50Us: median(list.map((r) => r.p50Us))!,
      p99Us: median(list.map((r) => r.p99Us))!,
    };
  });
  return { rows, tool: 'wrk' };
}
