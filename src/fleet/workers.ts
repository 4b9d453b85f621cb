// `server.workers: n`: the primary process forks n workers that share the one port (node:cluster;
// Node 20 has no reusePort), relays SIGHUP (reload) and SIGTERM/SIGINT (drain) to every worker,
// replaces a worker that dies, and, without Redis, keeps the state the workers share (primary-hub.ts).
// The primary serves no request itself.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { isFleetIpc } from './ipc-protocol.js';
import { PrimaryHub } from './primary-hub.js';
import { WORKER_SLOT_ENV } from './worker-identity.js';

const MIN_RESPAWN_MS = 100;
const MAX_RESPAWN_MS = 5000;
/** A worker that lived this long before dying resets the respawn back-off. */
const STABLE_MS = 10_000;

export function runPrimary(config: Config, logger: Logger): Promise<number> {
  const count = config.server.workers;
  const hub = config.fleet ? undefined : new PrimaryHub();
  const slots = new Map<Worker, { slot: number; startedAtMs: number }>();
  const respawnDelay = new Map<number, number>();
  let stopping = false;
  let ready = 0;

  const fork = (slot: number) => {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    slots.set(worker, { slot, startedAtMs: Date.now() });
    hub?.add(worker);
    worker.on('message', (m: unknown) => {
      if (!isFleetIpc(m) || m.switchyardFleet !== 'ready') return;
      ready++;
      if (ready === count) logger.info('workers ready', { workers: count, pid: process.pid });
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const info = slots.get(worker);
    slots.delete(worker);
    if (!info || stopping) return;
    ready = Math.max(0, ready - 1);
    const lived = Date.now() - info.startedAtMs;
    const delay =
      lived > STABLE_MS ? MIN_RESPAWN_MS : Math.min(MAX_RESPAWN_MS, (respawnDelay.get(info.slot) ?? 50) * 2);
    respawnDelay.set(info.slot, delay);
    logger.error('worker died; replacing it', {
      worker: info.slot,
      pid: worker.process.pid,
      code,
      signal,
      inMs: delay,
    });
    setTimeout(() => {
      if (!stopping) fork(info.slot);
    }, delay);
  });

  for (let slot = 1; slot <= count; slot++) fork(slot);
  logger.info('primary started', {
    workers: count,
    pid: process.pid,
    shared: config.fleet ? 'redis' : 'primary',
  });

  process.on('SIGHUP', () => {
    logger.info('reloading every worker', { signal: 'SIGHUP' });
    for (const worker of slots.keys()) worker.process.kill('SIGHUP');
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info('draining every worker', { signal });
      if (slots.size === 0) resolve(0);
      cluster.on('exit', () => {
        if (slots.size === 0) resolve(0);
      });
      for (const worker of slots.keys()) worker.process.kill('SIGTERM');
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
