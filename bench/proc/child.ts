// Child processes of the bench (the balancer, nginx, HAProxy, the naive proxy, the overhead upstream,
// wrk): spawned pinned to a core when taskset exists, their output read line by line with arrival
// times, and stopped by their own pid only. Everything started here is stopped on exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { epochMs } from '../load/stats.js';
import { hasTool } from './sys.js';

interface OutputLine {
  atMs: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The last lines of output (bounded). */
  readonly lines: OutputLine[];
  readonly exited: Promise<number | null>;
  readonly exitCode: number | null | undefined;
  onLine(listener: (line: OutputLine) => void): void;
  /** Resolves with the first line (already seen or future) matching; rejects on timeout or exit. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<OutputLine>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Child>();
const MAX_LINES = 20_000;

export interface SpawnOptions {
  /** CPU core (or taskset list, e.g. "0,1") to pin to (taskset -c); ignored when taskset is missing. */
  core?: number | string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const pinned = options.core !== undefined && hasTool('taskset');
  // taskset execs the command: the pid we get is the pid of the program itself.
  const [cmd, argv] = pinned ? ['taskset', ['-c', String(options.core), command, ...args]] : [command, args];
  const proc: ChildProcess = spawn(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  const lines: OutputLine[] = [];
  const listeners: Array<(line: OutputLine) => void> = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : code);
      running.delete(child);
      resolve(exitCode ?? null);
    });
    proc.once('error', () => resolve(null));
  });
  for (const [stream, readable] of [
    ['stdout', proc.stdout],
    ['stderr', proc.stderr],
  ] as const) {
    if (!readable) continue;
    createInterface({ input: readable }).on('line', (text) => {
      const line: OutputLine = { atMs: epochMs(), stream, line: text };
      lines.push(line);
      if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
      for (const l of listeners) l(line);
    });
  }
  const pid = proc.pid;
  const child: Child = {
    name,
    pid,
    lines,
    exited,
    get exitCode() {
      return exitCode;
    },
    onLine(listener) {
      listeners.push(listener);
    },
    waitForLine(match, timeoutMs) {
      const seen = lines.find((l) => match(l.line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          const tail = lines
            .slice(-5)
            .map((l) => l.line)
            .join('\n');
          reject(new Error(`${name}: no expected output within ${timeoutMs} ms\n${tail}`));
        }, timeoutMs);
        listeners.push((l) => {
          if (!settled && match(l.line)) {
            settled = true;
            clearTimeout(timer);
            resolve(l);
          }
        });
        void exited.then((code) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const tail = lines
            .slice(-10)
            .map((l) => l.line)
            .join('\n');
          reject(new Error(`${name} exited (${code}) before it was ready\n${tail}`));
        });
      });
    },
    async stop(graceMs = 2000) {
      if (exitCode !== undefined) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Kills every child still running (by its pid); used on exit and on Ctrl-C. */
export function killAllChildren(): void {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
