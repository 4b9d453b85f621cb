// Switchyard as a real child process (`node dist/src/main.js --config FILE`), pinned to a core, with
// its JSON log lines turned into timestamped events (domain breaker and upstream transitions).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { sleep } from '../load/stats.js';
import { type Child, spawnChild } from '../proc/child.js';
import { headerValue, type RunningTarget, type StartOptions, type TargetEvent } from './target.js';

/** dist/bench/targets -> repository root (works from dist/ and from the sources). */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist', 'bench')}`) ? '../../..' : '../..';
  return resolve(here, up);
}

export function switchyardMain(): string {
  return join(repoRoot(), 'dist', 'src', 'main.js');
}

/**
 * The node flags the installed `switchyard` command starts with: the ones on its `#!/usr/bin/env -S
 * node …` line. The bench starts the balancer as `node FLAGS main.js` so it measures what users run.
 */
export function switchyardNodeFlags(main = switchyardMain()): string[] {
  const first = readFileSync(main, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\S*env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

export interface SwitchyardExtra {
  /** Merged at the top level of the generated config (e.g. to tune one setting). */
  config?: Record<string, unknown>;
  /** Replaces the generated `chains:` (e.g. the fleet's upstreamsYaml with `ws:` keys). */
  chains?: unknown[];
}

export function switchyardConfig(opts: StartOptions, extra: SwitchyardExtra = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: 0 },
    logging: { level: 'info' },
    // The bench measures routing: no answer may come from a response cache.
    cache: { enabled: false },
    ...extra.config,
    chains: extra.chains ?? [
      {
        name: 'ethereum',
        chainId: opts.chainId,
        upstreams: opts.upstreams.map((u) => ({
          name: u.name,
          url: `http://${u.host}:${u.port}/`,
          cloud: u.cloud,
          region: u.region,
          provider: u.provider,
          ...(u.network ? { network: u.network } : {}),
        })),
      },
    ],
  };
}

const DOMAIN_EVENTS: Record<string, TargetEvent['kind']> = {
  open: 'domain_open',
  closed: 'domain_close',
  half_open: 'domain_half_open',
};

function eventOf(line: string): TargetEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const atMs = typeof entry.time === 'string' ? Date.parse(entry.time) : Number.NaN;
  if (!Number.isFinite(atMs)) return undefined;
  if (entry.msg === 'failure domain breaker' && typeof entry.domain === 'string') {
    const kind = DOMAIN_EVENTS[String(entry.to)];
    return kind && { atMs, kind, key: entry.domain, detail: `${entry.from}->${entry.to}` };
  }
  if (entry.msg === 'upstream breaker' && typeof entry.upstream === 'string') {
    if (entry.to === 'open')
      return { atMs, kind: 'server_down', key: entry.upstream, detail: 'breaker open' };
    if (entry.to === 'closed')
      return { atMs, kind: 'server_up', key: entry.upstream, detail: 'breaker closed' };
  }
  if (entry.msg === 'upstream health changed' && typeof entry.upstream === 'string') {
    if (entry.to === 'down') return { atMs, kind: 'server_down', key: entry.upstream, detail: 'health down' };
    if (entry.to === 'up') return { atMs, kind: 'server_up', key: entry.upstream, detail: 'health up' };
  }
  if (entry.msg === 'upstream on wrong chain' && typeof entry.upstream === 'string') {
    return { atMs, kind: 'server_down', key: entry.upstream, detail: 'wrong chain' };
  }
  return undefined;
}

export async function startSwitchyard(
  opts: StartOptions,
  extra: SwitchyardExtra = {},
): Promise<RunningTarget> {
  const file = join(opts.dir, 'switchyard.yaml');
  writeFileSync(file, stringify(switchyardConfig(opts, extra)));
  const args = [...switchyardNodeFlags(), ...(opts.nodeFlags ?? []), switchyardMain(), '--config', file];
  const child: Child = spawnChild('switchyard', process.execPath, args, {
    core: opts.core,
  });
  const events: TargetEvent[] = [];
  child.onLine((l) => {
    const e = eventOf(l.line);
    if (e) events.push(e);
  });
  let port: number;
  try {
    const ready = await child.waitForLine((line) => line.includes('"msg":"listening"'), 10_000);
    port = (JSON.parse(ready.line) as { port: number }).port;
  } catch (err) {
    await child.stop();
    throw err;
  }
  const base = `http://127.0.0.1:${port}`;
  const getJson = async (path: string): Promise<{ status: number; json: unknown }> => {
    const res = await request(`${base}${path}`, { headersTimeout: 2000, bodyTimeout: 2000 });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.statusCode, json };
  };
  // Ready once the health checker has seen the upstreams (bounded wait).
  for (let i = 0; i < 50; i++) {
    const r = await getJson('/readyz').catch(() => undefined);
    if (r?.status === 200) break;
    await sleep(100);
  }
  return {
    kind: 'switchyard',
    url: `${base}/`,
    pid: child.pid,
    events,
    upstreamOf: (headers) => headerValue(headers, 'x-switchyard-upstream')?.split(',')[0],
    status: async () => (await getJson('/status')).json,
    logTail: (max) => child.lines.slice(-max).map((l) => l.line),
    stop: () => child.stop(3000),
  };
}
