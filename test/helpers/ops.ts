// Helpers for the operations tests (issue 5): Prometheus text parsing, fleet upstream specs, a bounded
// keep-alive load loop that tells refused connections apart from failed requests, and the built CLI
// as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Fleet } from '../../src/simulation/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'dist/src/main.js');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (no escapes beyond \" and \\ in label values are expected). */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad exposition line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      for (const pair of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, '$1');
      }
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Samples named `name` whose labels include every pair of `match`. */
export function series(samples: Sample[], name: string, match: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

export function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return series(samples, name, match).reduce((sum, s) => sum + s.value, 0);
}

/**
 * Routing for tests that fault a region and assert it opens: the classic latency × (in-flight + 1)
 * weighting spreads live calls over every upstream. With the default (the cheapest first,
 * `inFlightScale: 16`) the reads sit on whichever region measures fastest, and on a machine busy with
 * parallel test files that is not reliably the faulted one. Concentration itself is tested in
 * test/routing/selection.test.ts and measured by the bench.
 */
export const SPREAD_ROUTING = { inFlightScale: 1 } as const;

export function fleetUpstreams(fleet: Fleet) {
  return fleet.providers.map((p) => ({
    name: p.name,
    url: p.url,
    cloud: p.spec.cloud,
    region: p.spec.region,
    provider: p.spec.provider,
    ...(p.spec.network ? { network: p.spec.network } : {}),
  }));
}

interface LoadResult {
  ok: number;
  /** Connection refused: the request never reached a listening socket (nothing was accepted). */
  refused: number;
  failed: { status: number | undefined; error: string }[];
}

/**
 * Keep-alive clients in a closed loop against `url`, bounded by `maxRequests` and `maxMs`; each
 * answer must be HTTP 200 with a JSON-RPC result. Stops early when `stop()` is called.
 */
export function runLoad(
  url: string,
  options: {
    clients?: number;
    maxRequests?: number;
    maxMs?: number;
    body?: string;
    /** Pause after each answer, to keep the load light on a 2-core machine shared with other tests. */
    pauseMs?: number;
  } = {},
) {
  const clients = options.clients ?? 8;
  const maxRequests = options.maxRequests ?? 20_000;
  const deadline = performance.now() + (options.maxMs ?? 10_000);
  const body = options.body ?? '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}';
  const pool = new Pool(url, { connections: clients, pipelining: 1 });
  const result: LoadResult = { ok: 0, refused: 0, failed: [] };
  let issued = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && issued < maxRequests && performance.now() < deadline) {
      issued++;
      try {
        const res = await pool.request({
          path: '/',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const text = await res.body.text();
        if (res.statusCode === 200 && text.includes('"result"')) result.ok++;
        else result.failed.push({ status: res.statusCode, error: text.slice(0, 200) });
        if (options.pauseMs) await sleep(options.pauseMs);
      } catch (err) {
        const e = err as { code?: string; cause?: { code?: string } };
        if (e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED') {
          result.refused++;
          await sleep(5);
        } else result.failed.push({ status: undefined, error: `${e.code ?? ''} ${String(err)}` });
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, worker)).then(async () => {
    await pool.close();
    return result;
  });
  return {
    result,
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

export interface Cli {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  port: number;
  /** Resolves when a log line matching `pattern` appears after `fromIndex` characters of output. */
  waitFor(pattern: RegExp, timeoutMs?: number, fromIndex?: number): Promise<RegExpExecArray>;
  exit: Promise<number | null>;
  kill(): void;
}

/** Starts the built CLI with `args` and waits for its "listening" line (or `ready`, whose group 1 is the port). */
export async function startCli(
  args: string[],
  env: Record<string, string> = {},
  ready = /"msg":"listening".*"port":(\d+)/,
): Promise<Cli> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 10_000, fromIndex = 0) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const m = pattern.exec(out.slice(fromIndex));
        if (m) resolve(m);
        else if (Date.now() - started > timeoutMs || child.exitCode !== null)
          reject(new Error(`no ${pattern} in output:\n${out}`));
        else setTimeout(check, 10);
      };
      check();
    });
  const cli: Cli = {
    child,
    output: () => out,
    port: 0,
    waitFor,
    exit,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  try {
    const m = await waitFor(ready);
    cli.port = Number(m[1]);
  } catch (err) {
    cli.kill();
    throw err;
  }
  return cli;
}
