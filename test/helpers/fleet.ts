// Helpers for the fleet-mode tests (issue 13): admin API calls, /status views, and Switchyard CLI
// processes whose JSON log lines are collected (with their timestamps) as they run.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { MAIN } from './ops.js';

interface CordonView {
  target: string;
  note: string;
}

export interface StatusChain {
  panic: string | null;
  domains: {
    key: string;
    state: string;
    opens: number;
    openedAt: string | null;
    cordon: CordonView | null;
  }[];
  upstreams: {
    name: string;
    usable: boolean;
    breaker: string;
    wrongChain: boolean;
    cordon: CordonView | null;
  }[];
}

export async function adminCall(
  url: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  key?: string,
) {
  const res = await request(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-admin-key': key }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

async function statusDoc(url: string): Promise<{ chains: StatusChain[]; [section: string]: unknown }> {
  const res = await request(`${url}/status`);
  return (await res.body.json()) as { chains: StatusChain[] };
}

export async function chainStatus(url: string): Promise<StatusChain> {
  return (await statusDoc(url)).chains[0]!;
}

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface SwitchyardProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every JSON log line so far, parsed. */
  logs: LogLine[];
  /** Raw stdout and stderr, for failure messages and secret checks. */
  output(): string;
  /** SIGTERM by pid; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built CLI on a config object written to `dir`; resolves once it logged "listening". */
export function startSwitchyard(dir: string, name: string, config: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [MAIN, '--config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let raw = '';
  let pending = '';
  return new Promise<SwitchyardProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchyard ${name} did not start:\n${raw.slice(-2000)}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      raw += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as LogLine;
        logs.push(parsed);
        if (parsed.msg === 'listening') {
          clearTimeout(timer);
          const port = Number(parsed.port);
          resolve({
            url: `http://127.0.0.1:${port}`,
            port,
            child,
            logs,
            output: () => raw,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null && child.stdout!.readableEnded) return done(child.exitCode);
                // 'close', not 'exit': the last log lines are read by then.
                child.once('close', (code) => done(code));
                child.kill('SIGTERM');
              }),
          });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard ${name} exited with ${code}:\n${raw.slice(-2000)}`));
    });
  });
}
