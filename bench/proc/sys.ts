// What the machine offers and what a process costs: tool detection, core pinning, CPU time and peak
// memory of a pid from /proc, a free local port.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';

const toolCache = new Map<string, boolean>();

export function hasTool(name: string): boolean {
  let found = toolCache.get(name);
  if (found === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
    toolCache.set(name, found);
  }
  return found;
}

/** First line of a tool's version output (stdout or stderr, any exit code), or undefined when missing. */
export function toolVersion(name: string, args: string[]): string | undefined {
  if (!hasTool(name)) return undefined;
  const r = spawnSync(name, args, { encoding: 'utf8' });
  return (
    `${r.stdout ?? ''}\n${r.stderr ?? ''}`
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? 'present'
  );
}

export function nginxVersion(): string | undefined {
  if (!hasTool('nginx')) return undefined;
  return toolVersion('nginx', ['-v'])?.replace(/^nginx version: /, '');
}

/** Pins every thread of `pid` to `core`; false when taskset is missing or fails. */
export function pinProcess(pid: number, core: number): boolean {
  if (!hasTool('taskset')) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let clkTck: number | undefined;
function clockTicks(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** User + system CPU time of a process in milliseconds, from /proc/<pid>/stat; undefined if gone. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** A /proc/<pid>/status value in kB (VmHWM: peak resident set, VmRSS: current). */
export function procStatusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A port that was free a moment ago (for programs that cannot listen on port 0 and tell). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function machineInfo() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export interface CpuSnapshot {
  /** Busy CPU time of the whole machine (all cores), ms. */
  machineBusyMs: number;
  /** CPU time of this process and its reaped children, ms. */
  ownMs: number;
}

/** Machine-wide busy time (/proc/stat) and our own (self + reaped children, /proc/self/stat). */
export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const cpu = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busyTicks = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + (cpu[7] ?? 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
    // utime stime cutime cstime are fields 14-17.
    const ownTicks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    const tick = 1000 / clockTicks();
    return { machineBusyMs: busyTicks * tick, ownMs: ownTicks * tick };
  } catch {
    return undefined;
  }
}

/**
 * CPU used by processes that are not ours between two snapshots (other work on the machine), in
 * CPU-seconds. Children still running at `to` are not yet counted as ours: take `to` after they exit.
 */
export function foreignCpuSec(from: CpuSnapshot | undefined, to: CpuSnapshot | undefined): number | null {
  if (!from || !to) return null;
  const foreign = to.machineBusyMs - from.machineBusyMs - (to.ownMs - from.ownMs);
  return Math.max(0, Math.round(foreign / 100) / 10);
}
