// Starts the bare Node forwarder (bare-forwarder-main) as a pinned child process: the overhead
// table's Node floor, forwarding to the first upstream only.
import { startListeningChild } from './node-child.js';
import type { RunningTarget, StartOptions } from './target.js';

export async function startBareForwarder(opts: StartOptions): Promise<RunningTarget> {
  const first = opts.upstreams[0]!;
  const { child, port } = await startListeningChild(
    'bare-forwarder',
    'bare-forwarder-main.js',
    [`http://${first.host}:${first.port}`],
    opts,
  );
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
