// Starts the naive http-proxy baseline (naive-proxy-main) as a pinned child process.
import { join } from 'node:path';
import { spawnChild } from '../proc/child.js';
import { repoRoot } from './switchyard.js';
import { headerValue, type RunningTarget, type StartOptions } from './target.js';

export async function startNaiveProxy(opts: StartOptions): Promise<RunningTarget> {
  // Always the built file: the sources are TypeScript.
  const main = join(repoRoot(), 'dist', 'bench', 'targets', 'naive-proxy-main.js');
  const urls = opts.upstreams.map((u) => `http://${u.host}:${u.port}`);
  const child = spawnChild('naive-proxy', process.execPath, [main, ...urls], { core: opts.core });
  const ready = await child
    .waitForLine((l) => l.includes('"msg":"listening"'), 10_000)
    .catch(async (err) => {
      await child.stop();
      throw err;
    });
  const port = (JSON.parse(ready.line) as { port: number }).port;
  const byUrl = new Map(opts.upstreams.map((u) => [`http://${u.host}:${u.port}`, u.name]));
  return {
    kind: 'naive',
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    events: [],
    upstreamOf: (headers) => byUrl.get(headerValue(headers, 'x-switchyard-upstream') ?? ''),
    logTail: (max) => child.lines.slice(-max).map((l) => l.line),
    stop: () => child.stop(2000),
  };
}
