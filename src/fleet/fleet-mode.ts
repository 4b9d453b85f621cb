// Turns fleet mode on for one server process: with `fleet` configured, over Redis; in a cluster worker
// without it, through the primary. Otherwise undefined, and the server runs exactly as without fleet
// mode (cordons stay in-process).
import cluster from 'node:cluster';
import { ApiKeyGuard, apiKeyGate } from '../../routes/api-keys.js';
import type { Operations } from '../app/operations.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { urlSecrets } from '../log/redact.js';
import type { ServerOptions, SwitchyardServer } from '../server/server.js';
import type { FleetBackend } from './backend.js';
import { FleetBudgets, type SpendStore } from './fleet-budgets.js';
import { FleetMember } from './fleet-member.js';
import { registerFleetMetrics } from './fleet-metrics.js';
import { WorkerBackend } from './worker-backend.js';

export interface FleetMode {
  member: FleetMember;
  /** The operations' server options with the fleet's observer and rate limiter in. */
  options: ServerOptions;
  attach(server: SwitchyardServer): void;
  close(): Promise<void>;
}

export async function startFleetMode(
  config: Config,
  logger: Logger,
  ops: Operations,
): Promise<FleetMode | undefined> {
  let backend: FleetBackend;
  let name: string;
  let spendStore: SpendStore | undefined;
  if (config.fleet) {
    const { redisUrl } = config.fleet;
    let password = '';
    try {
      password = decodeURIComponent(new URL(redisUrl).password);
    } catch {}
    logger.addSecrets([redisUrl, ...urlSecrets(redisUrl), ...(password.length >= 4 ? [password] : [])]);
    // Loaded only in fleet mode: the Redis client is the largest module we have (about 20 MB resident).
    const { RedisBackend } = await import('./redis-backend.js');
    const redis = new RedisBackend(redisUrl, config.fleet.name);
    redis.start();
    backend = redis;
    spendStore = redis;
    name = config.fleet.name;
  } else if (cluster.isWorker) {
    backend = new WorkerBackend();
    name = 'workers';
  } else return undefined;
  const member = new FleetMember(backend, ops.cordons, logger, name);
  registerFleetMetrics(ops.metrics.registry, backend, member);
  let budgets: FleetBudgets | undefined;
  return {
    member,
    options: {
      ...ops.options,
      observer: member.observe(ops.options.observer!),
      // One guard for HTTP and WebSocket: both spend the fleet-wide limits.
      ...guardOptions(new ApiKeyGuard(member.limiter)),
    },
    attach: (server) => {
      member.attach(server);
      // Budget spend is shared over Redis only (workers without it each pace their own share).
      if (spendStore) {
        budgets = new FleetBudgets(spendStore, () => server.runtime.providers, logger);
        budgets.start();
      }
    },
    close: async () => {
      budgets?.stop();
      await budgets?.sync().catch(() => {});
      await member.close();
    },
  };
}

function guardOptions(guard: ApiKeyGuard) {
  return { gate: apiKeyGate(guard), apiKeys: guard };
}
