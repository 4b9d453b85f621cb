// Loading a config: read the YAML, replace ${VAR} from the environment, validate (errors name the file
// and key path), apply defaults, deep-freeze. Each section's keys, defaults and units are in its own
// file (server-config.ts, security-config.ts, routing-config.ts, …); the shape is in config-types.ts.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { readBreakers } from './breakers-config.js';
import { readCache } from './cache-config.js';
import { readChains } from './chains-config.js';
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import { ConfigError, Node } from './config-values.js';
import { interpolateEnv } from './env-interpolation.js';
import { readFleet } from './fleet-config.js';
import { readHealth } from './health-config.js';
import { readProviders, readStateFile } from './providers-config.js';
import { readRouting } from './routing-config.js';
import { readSecurity } from './security-config.js';
import { readLogging, readServer } from './server-config.js';
import { readSubscriptions } from './subscriptions-config.js';
import { readTracing } from './tracing-config.js';

export type { ChainConfig, Config, UpstreamConfig } from './config-types.js';
export { ConfigError } from './config-values.js';

type ConfigSections = Omit<Config, 'file' | 'secrets'>;

export function buildConfig(raw: unknown, file: string, secrets: readonly string[] = []): Config {
  const sections = readSection<ConfigSections>(new Node(file, '', raw), {
    server: field('server', readServer),
    logging: field('logging', readLogging),
    security: field('security', readSecurity),
    routing: field('routing', readRouting),
    breakers: field('breakers', readBreakers),
    health: field('health', readHealth),
    cache: field('cache', readCache),
    subscriptions: field('subscriptions', readSubscriptions),
    fleet: field('fleet', readFleet),
    chains: field('chains', readChains),
    providers: field('providers', readProviders),
    stateFile: field('stateFile', readStateFile),
    tracing: field('tracing', readTracing),
  });
  return deepFreeze({ file, ...sections, secrets });
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '(file)', `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, '(yaml)', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const { value, secrets } = interpolateEnv(raw, file, env);
  return buildConfig(value, file, secrets);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
