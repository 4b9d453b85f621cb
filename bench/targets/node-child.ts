// A built bench program (dist/bench/targets/<file>) as a pinned child process that prints
// {"msg":"listening","port":N} once it serves: the naive proxy and the bare forwarder start this way.
import { join } from 'node:path';
import { type Child, spawnChild } from '../proc/child.js';
import { repoRoot } from './switchyard.js';

export async function startListeningChild(
  name: string,
  file: string,
  args: string[],
  opts: { core?: number | undefined; nodeFlags?: string[] },
): Promise<{ child: Child; port: number }> {
  // Always the built file: the sources are TypeScript.
  const main = join(repoRoot(), 'dist', 'bench', 'targets', file);
  const child = spawnChild(name, process.execPath, [...(opts.nodeFlags ?? []), main, ...args], {
    core: opts.core,
  });
  const ready = await child
    .waitForLine((l) => l.includes('"msg":"listening"'), 10_000)
    .catch(async (err) => {
      await child.stop();
      throw err;
    });
  return { child, port: (JSON.parse(ready.line) as { port: number }).port };
}
