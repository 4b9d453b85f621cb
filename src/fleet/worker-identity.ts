// Which worker answered: with `server.workers` above 1, /status and /metrics are per worker (each
// scrape or page load is answered by whichever worker took the connection). The header
// `x-switchyard-worker`, the /status section `worker` and the `worker` label on every series say which.

import type { RouteHook } from '../../routes/hooks.js';
import type { Operations } from '../app/operations.js';
import type { SwitchyardServer } from '../server/server.js';

const WORKER_HEADER = 'x-switchyard-worker';
/** The worker's slot (1..n): stable across replacements, unlike cluster's own worker ids. */
export const WORKER_SLOT_ENV = 'SWITCHYARD_WORKER';

function workerRoute(slot: string): RouteHook {
  return (_req, res, path) => {
    if (path === '/status' || path === '/metrics') res.setHeader(WORKER_HEADER, slot);
    return false;
  };
}

/** Tells the primary this worker serves and handles its signals (see workers.ts). */
export function reportWorkerReady(): void {
  process.send?.({ switchyardFleet: 'ready' });
}

/** Labels this worker's metrics and adds its /status section; call before the server is built. */
export function identifyWorker(
  ops: Operations,
  slot: string,
  workers: number,
): (server: SwitchyardServer) => void {
  ops.metrics.registry.setDefaultLabels({ worker: slot });
  ops.options.routes = [workerRoute(slot), ...(ops.options.routes ?? [])];
  return (server) =>
    server.statusSections.set('worker', () => ({ id: Number(slot), pid: process.pid, workers }));
}
