// Starts the naive http-proxy baseline (naive-proxy-main) as a pinned child process.
import { startListeningChild } from './node-child.js';
import { headerValue, type RunningTarget, type StartOptions } from './target.js';

export async function startNaiveProxy(opts: StartOptions): Promise<RunningTarget> {
  const urls = opts.upstreams.map((u) => `http://${u.host}:${u.port}`);
  const { child, port } = await startListeningChild('naive-proxy', 'naive-proxy-main.js', urls, {
    core: opts.core,
  });
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
