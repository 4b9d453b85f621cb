// Starts a client-side failover (client-main.js: viem or ethers reading the fleet directly, with the
// load inside) as a child process pinned like the proxies, and collects what it reports: the start
// of its timeline, every read, and (viem) its ranked order whenever it changed.
import { join } from 'node:path';
import { sleep } from '../load/stats.js';
import { type Child, spawnChild } from '../proc/child.js';
import { repoRoot } from '../targets/switchyard.js';
import type { RankChange, ReadRecord } from './analyze.js';
import type { ClientConfig } from './client-main.js';

export interface RunningClient {
  readonly pid: number;
  /** Starts the child's timeline (SIGUSR2); resolves with the epoch ms its warm-up starts. */
  start(): Promise<number>;
  readonly reads: ReadRecord[];
  readonly rankings: RankChange[];
  /** Resolves with the reads the open loop could not start, once the child reported done (bounded). */
  finished(timeoutMs: number): Promise<{ dropped: number; complete: boolean }>;
  logTail(max: number): string[];
  stop(): Promise<void>;
}

type Line = {
  msg?: string;
  loadStartMs?: number;
  dropped?: number;
  rank?: string[];
  atMs?: number;
  read?: unknown[];
};

export async function startClientTarget(cfg: ClientConfig, core: number): Promise<RunningClient> {
  const main = join(repoRoot(), 'dist', 'bench', 'low-traffic', 'client-main.js');
  const child: Child = spawnChild(cfg.kind, process.execPath, [main, JSON.stringify(cfg)], { core });
  const reads: ReadRecord[] = [];
  const rankings: RankChange[] = [];
  let dropped = 0;
  let doneSeen = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  child.onLine((l) => {
    if (l.stream !== 'stdout' || !l.line.startsWith('{')) return;
    let o: Line;
    try {
      o = JSON.parse(l.line) as Line;
    } catch {
      return;
    }
    if (o.read) {
      const [startMs, latencyMs, ok, upstream, method, error] = o.read as [
        number,
        number,
        number,
        string | null,
        string,
        string | null,
      ];
      reads.push({ startMs, latencyMs, ok: ok === 1, upstream, method, error });
    } else if (o.rank && typeof o.atMs === 'number') {
      rankings.push({ atMs: o.atMs, order: o.rank });
    } else if (o.msg === 'done') {
      dropped = o.dropped ?? 0;
      doneSeen = true;
      resolveDone();
    }
  });
  try {
    await child.waitForLine((line) => line.includes('"msg":"ready"'), 15_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    pid: child.pid,
    async start() {
      process.kill(child.pid, 'SIGUSR2');
      const started = await child.waitForLine((line) => line.includes('"msg":"started"'), 5000);
      return (JSON.parse(started.line) as Line).loadStartMs!;
    },
    reads,
    rankings,
    async finished(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const complete = await Promise.race([
        done.then(() => true),
        // The exit can be seen before the last lines are read: give them a moment.
        child.exited.then(() => sleep(200)).then(() => doneSeen),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return { dropped, complete };
    },
    logTail: (max) => child.lines.slice(-max).map((l) => l.line),
    stop: () => child.stop(1000),
  };
}
