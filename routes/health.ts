// GET /healthz: the process serves. GET /readyz: every chain has a usable upstream (for orchestrators).
import type { ServerResponse } from 'node:http';
import type { Runtime } from '../src/runtime/runtime.js';
import { isUsable } from '../src/status/status-model.js';
import { sendJson } from './http-util.js';

export function handleHealthz(res: ServerResponse): void {
  sendJson(res, 200, '{"status":"ok"}');
}

export function handleReadyz(runtime: Runtime, res: ServerResponse, draining: boolean): void {
  const nowMs = Date.now();
  const notReady = [...runtime.chains.values()]
    .filter((chain) => !chain.upstreams.some((u) => isUsable(chain, u, nowMs)))
    .map((chain) => chain.name);
  if (draining) sendJson(res, 503, JSON.stringify({ status: 'draining', notReady }));
  else if (notReady.length > 0) sendJson(res, 503, JSON.stringify({ status: 'not ready', notReady }));
  else sendJson(res, 200, JSON.stringify({ status: 'ready' }));
}
