// Starts the bare Node forwarder (bare-forwarder-main) as a pinned child process: the overhead
// table's Node floor, forwarding to the first upstream only.
import { join } from 'node:path';
import { spawnChild } from '../proc/child.js';
import { repoRoot } from './switchyard.js';
import type { RunningTarget, StartOptions } from './target.js';

export async function startBareForwarder(opts: StartOptions): Promise<RunningTarget> {
  // Always the built file: the sources are TypeScript.
  const main = join(repoRoot(), 'dist', 'bench', 'targets', 'bare-forwarder-main.js');
  const first = opts.upstreams[0]!;
  const args = [...(opts.nodeFlags ?? []), main, `http://${first.host}:${first.port}`];
  const child = spawnChild('bare-forwarder', process.execPath, args, { core: opts.core });
  const ready = await child
    .waitForLine((l) => l.includes('"msg":"listening"'), 10_000)
    .catch(async (err) => {
      await child.stop();
      throw err;
    });
  const port = (JSON.parse(ready.line) as { port: number }).port;
  return {
    kind: 'bare',
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    events: [],
    upstreamOf: () => first.name,
    logTail: (max) => child.lines.slice(-max).map((l) => l.line),
    stop: () => child.stop(2000),
  };
}
