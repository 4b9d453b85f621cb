// Starting any system under test by kind.
import { startBareForwarder } from './bare-forwarder.js';
import { startHaproxy } from './haproxy.js';
import { startNaiveProxy } from './naive-proxy.js';
import { startNginx } from './nginx.js';
import { startSwitchyard } from './switchyard.js';
import type { RunningTarget, StartOptions, TargetKind } from './target.js';

export * from './target.js';

export function startTarget(kind: Exclude<TargetKind, 'direct'>, opts: StartOptions): Promise<RunningTarget> {
  switch (kind) {
    case 'switchyard':
      return startSwitchyard(opts);
    case 'nginx':
      return startNginx(opts);
    case 'haproxy':
      return startHaproxy(opts);
    case 'naive':
      return startNaiveProxy(opts);
    case 'bare':
      return startBareForwarder(opts);
  }
}

/** Which external program a target needs, if any. */
export function requiredTool(kind: TargetKind): string | undefined {
  return kind === 'nginx' ? 'nginx' : kind === 'haproxy' ? 'haproxy' : undefined;
}
