// The config schema: every key, its default and its unit, in one place. Load YAML, replace ${VAR}
// from the environment, validate (errors name the file and key path), apply defaults, deep-freeze.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type ChainIdentity, readChainIdentity } from './chain-identity.js';
import { ConfigError, Node } from './config-values.js';
import { interpolateEnv } from './env-interpolation.js';
import { type FleetConfig, readAdminKeys, readFleet, readWorkers } from './fleet-config.js';
import { type MaxShare, readMaxShare } from './max-share-config.js';

export { ConfigError } from './config-values.js';
export type { FleetConfig } from './fleet-config.js';

export interface UpstreamConfig {
  name: string;
  url: string;
  /** ws(s) URL for subscriptions; without it the upstream feeds subscriptions by polling `url`. */
  ws: string | undefined;
  cloud: string;
  region: string;
  provider: string;
  network: string | undefined;
  /** Lower is preferred; a tier is used only while no lower tier has a usable upstream. */
  priority: number;
  maxConnections: number;
  headers: Readonly<Record<string, string>>;
  /** Serves historical state; unknown (undefined) is learnt from its errors. */
  archive: boolean | undefined;
}

export interface ChainConfig extends ChainIdentity {
  name: string;
  upstreams: readonly UpstreamConfig[];
}

export interface Config {
  file: string;
  server: {
    host: string;
    port: number;
    maxBodyBytes: number;
    maxBatchSize: number;
    upstreamHeader: boolean;
    requestTimeoutMs: number;
    shutdownGraceMs: number;
    corsOrigins: readonly string[];
    /** Worker processes sharing the port (node:cluster); 1 runs in this process alone. */
    workers: number;
  };
  logging: { level: 'debug' | 'info' | 'warn' | 'error' };
  security: {
    apiKeys: readonly { name: string; key: string; ratePerSecond: number; burst: number }[];
    denyMethods: readonly string[];
    /** Keys for the admin API (x-admin-key); none configured: the admin routes answer 404. */
    adminKeys: readonly string[];
  };
  routing: {
    maxAttempts: number;
    tryTimeoutMs: number;
    connectTimeoutMs: number;
    hedge: { enabled: boolean; minDelayMs: number; maxDelayMs: number; quantile: number };
    retryBudget: { ratio: number; minPerSecond: number };
    sendTransactionDomains: number;
    slowStartMs: number;
    /** In-flight attempts that double an upstream's selection cost. */
    inFlightScale: number;
    /** Diversity caps: the most of a chain's attempts one cloud or provider may take (share-caps.ts). */
    maxShare: MaxShare;
    /** Calls in flight per chain beyond which new calls are answered OVERLOADED at once. */
    maxInFlight: number;
    /** Attempts that may wait for one of an upstream's connections, at least (src/routing/admission.ts). */
    upstreamQueue: number;
    /** Past upstreamQueue, more may wait while the upstream's oldest attempt has waited less than this. */
    maxQueueWaitMs: number;
  };
  breakers: {
    upstream: {
      errorThresholdPercentage: number;
      volumeThreshold: number;
      windowMs: number;
      resetTimeoutMs: number;
      stallAfterMs: number;
    };
    domain: {
      minFailingUpstreams: number;
      windowMs: number;
      backoffMs: number;
      maxBackoffMs: number;
    };
  };
  health: {
    intervalMs: number;
    busyIntervalMs: number;
    downIntervalMs: number;
    /** Liveness probe of an upstream that live traffic has not shown alive within this long (health/detector.ts). */
    watchIntervalMs: number;
    /** Probes of a suspect upstream until it is confirmed down or cleared. */
    suspectIntervalMs: number;
    /** A liveness probe's deadline is 4× the upstream's latency estimate, at least this, at most `timeout`. */
    minProbeTimeoutMs: number;
    timeoutMs: number;
    rise: number;
    fall: number;
    maxBlockLag: number;
    checkSyncing: boolean;
  };
  cache: { enabled: boolean; maxEntries: number; maxBytes: number };
  subscriptions: {
    /** WebSocket client connections accepted at once. */
    maxConnections: number;
    maxPerConnection: number;
    /** Bytes queued to one client beyond which it is closed as a slow consumer. */
    sendBufferBytes: number;
    pingIntervalMs: number;
    /** Head polling of upstreams without `ws`. */
    pollIntervalMs: number;
    /** Canonical blocks remembered for reorgs (`removed: true` logs). */
    reorgDepth: number;
    /** Missed blocks fetched after a feed outage; a longer gap is skipped and logged. */
    maxBackfill: number;
    /** A WebSocket feed that announces nothing this long after another announced a block is silent. */
    silentAfterMs: number;
  };
  /** Fleet mode: instances share verdicts, cordons, rate limits and servedHead on Redis (src/fleet/). */
  fleet: FleetConfig | undefined;
  chains: readonly ChainConfig[];
  /** Values substituted from the environment: scrubbed from every log line. */
  secrets: readonly string[];
}

const RESERVED_PATHS = ['healthz', 'readyz', 'status', 'metrics', 'dashboard', 'admin'];

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function readUpstream(node: Node): UpstreamConfig {
  node.object([
    'name',
    'url',
    'ws',
    'cloud',
    'region',
    'provider',
    'network',
    'priority',
    'maxConnections',
    'headers',
    'archive',
  ]);
  const urlNode = node.child('url');
  const url = urlNode.string();
  const parsed = parseUrl(url);
  // The URL itself is never echoed: it may hold an API key.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    urlNode.fail('expected http(s) URL');
  const wsNode = node.child('ws');
  const ws = wsNode.optionalString();
  if (ws !== undefined && !/^wss?:$/.test(parseUrl(ws)?.protocol ?? '')) wsNode.fail('expected ws(s) URL');
  const headersNode = node.child('headers');
  const headers: Record<string, string> = {};
  if (!headersNode.missing) {
    headersNode.object(Object.keys(headersNode.value as object));
    for (const key of Object.keys(headersNode.value as object))
      headers[key.toLowerCase()] = headersNode.child(key).string();
  }
  const archiveNode = node.child('archive');
  return {
    name: node.child('name').string(),
    url,
    ws,
    cloud: node.child('cloud').string('unknown'),
    region: node.child('region').string('unknown'),
    provider: node.child('provider').string('unknown'),
    network: node.child('network').optionalString(),
    priority: node.child('priority').number(0, 0, 100),
    maxConnections: node.child('maxConnections').number(64, 1, 4096),
    headers,
    archive: archiveNode.missing ? undefined : archiveNode.boolean(false),
  };
}

function readChain(node: Node): ChainConfig {
  node.object(['name', 'family', 'chainId', 'genesisHash', 'network', 'upstreams']);
  const nameNode = node.child('name');
  const name = nameNode.string();
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name))
    nameNode.fail('expected letters, digits, "-" or "_" (it is a URL path)');
  if (RESERVED_PATHS.includes(name)) nameNode.fail(`"${name}" is a reserved path`);
  const upstreamsNode = node.child('upstreams');
  const upstreams = upstreamsNode.list().map(readUpstream);
  if (upstreams.length === 0) upstreamsNode.fail('expected at least one upstream');
  return { name, ...readChainIdentity(node), upstreams };
}

export function buildConfig(raw: unknown, file: string, secrets: readonly string[] = []): Config {
  const root = new Node(file, '', raw).object([
    'server',
    'logging',
    'security',
    'routing',
    'breakers',
    'health',
    'cache',
    'subscriptions',
    'fleet',
    'chains',
  ]);
  const server = root
    .child('server')
    .object([
      'host',
      'port',
      'maxBodyBytes',
      'maxBatchSize',
      'upstreamHeader',
      'requestTimeout',
      'shutdownGrace',
      'corsOrigins',
      'workers',
    ]);
  const security = root.child('security').object(['apiKeys', 'denyMethods', 'adminKeys']);
  const routing = root
    .child('routing')
    .object([
      'maxAttempts',
      'tryTimeout',
      'connectTimeout',
      'hedge',
      'retryBudget',
      'sendTransactionDomains',
      'slowStart',
      'inFlightScale',
      'maxShare',
      'maxInFlight',
      'upstreamQueue',
      'maxQueueWait',
    ]);
  const hedge = routing.child('hedge').object(['enabled', 'minDelay', 'maxDelay', 'quantile']);
  const budget = routing.child('retryBudget').object(['ratio', 'minPerSecond']);
  const tryTimeoutMs = routing.child('tryTimeout').duration(3000, 10);
  const breakers = root.child('breakers').object(['upstream', 'domain']);
  const ub = breakers
    .child('upstream')
    .object(['errorThresholdPercentage', 'volumeThreshold', 'window', 'resetTimeout', 'stallAfter']);
  const db = breakers.child('domain').object(['minFailingUpstreams', 'window', 'backoff', 'maxBackoff']);
  const health = root
    .child('health')
    .object([
      'interval',
      'busyInterval',
      'downInterval',
      'watchInterval',
      'suspectInterval',
      'minProbeTimeout',
      'timeout',
      'rise',
      'fall',
      'maxBlockLag',
      'checkSyncing',
    ]);
  const cache = root.child('cache').object(['enabled', 'maxEntries', 'maxBytes']);
  const subs = root
    .child('subscriptions')
    .object([
      'maxConnections',
      'maxPerConnection',
      'sendBufferBytes',
      'pingInterval',
      'pollInterval',
      'reorgDepth',
      'maxBackfill',
      'silentAfter',
    ]);

  const chainsNode = root.child('chains');
  const chains = chainsNode.list().map(readChain);
  if (chains.length === 0) chainsNode.fail('required: expected at least one chain');
  const seenChains = new Set<string>();
  const seenUpstreams = new Set<string>();
  chains.forEach((chain, i) => {
    if (seenChains.has(chain.name))
      chainsNode.child(i).child('name').fail(`duplicate chain name "${chain.name}"`);
    seenChains.add(chain.name);
    chain.upstreams.forEach((u, j) => {
      if (seenUpstreams.has(u.name)) {
        chainsNode
          .child(i)
          .child('upstreams')
          .child(j)
          .child('name')
          .fail(`duplicate upstream name "${u.name}"`);
      }
      seenUpstreams.add(u.name);
    });
  });

  const apiKeys = security
    .child('apiKeys')
    .list()
    .map((k) => {
      k.object(['name', 'key', 'ratePerSecond', 'burst']);
      const ratePerSecond = k.child('ratePerSecond').number(0, 0, 1_000_000);
      return {
        name: k.child('name').string(),
        key: k.child('key').string(),
        ratePerSecond,
        burst: k.child('burst').number(Math.max(1, ratePerSecond), 1, 1_000_000),
      };
    });
  const keysNode = security.child('apiKeys');
  apiKeys.forEach((k, i) => {
    // The key itself is never echoed: it is a secret.
    if (apiKeys.findIndex((o) => o.name === k.name) !== i)
      keysNode.child(i).child('name').fail(`duplicate API key name "${k.name}"`);
    if (apiKeys.findIndex((o) => o.key === k.key) !== i) keysNode.child(i).child('key').fail('duplicate key');
    if (/[\s/]/.test(k.key)) keysNode.child(i).child('key').fail('expected no whitespace or "/"');
  });

  const config: Config = {
    file,
    server: {
      host: server.child('host').string('127.0.0.1'),
      port: server.child('port').number(8545, 0, 65535),
      maxBodyBytes: server.child('maxBodyBytes').size(5 * 1024 * 1024),
      maxBatchSize: server.child('maxBatchSize').number(100, 1, 10_000),
      upstreamHeader: server.child('upstreamHeader').boolean(true),
      requestTimeoutMs: server.child('requestTimeout').duration(10_000, 10),
      shutdownGraceMs: server.child('shutdownGrace').duration(10_000),
      corsOrigins: server.child('corsOrigins').stringList([]),
      workers: readWorkers(server.child('workers')),
    },
    logging: {
      level: root
        .child('logging')
        .object(['level'])
        .child('level')
        .oneOf(['debug', 'info', 'warn', 'error'], 'info'),
    },
    security: {
      apiKeys,
      denyMethods: security
        .child('denyMethods')
        .stringList(['admin_*', 'debug_*', 'personal_*', 'miner_*', 'clique_*', 'txpool_*', 'engine_*']),
      adminKeys: readAdminKeys(security.child('adminKeys')),
    },
    routing: {
      maxAttempts: routing.child('maxAttempts').number(4, 1, 20),
      tryTimeoutMs,
      connectTimeoutMs: routing.child('connectTimeout').duration(1000, 10),
      hedge: {
        enabled: hedge.child('enabled').boolean(true),
        minDelayMs: hedge.child('minDelay').duration(15, 1),
        maxDelayMs: hedge.child('maxDelay').duration(250, 1),
        quantile: hedge.child('quantile').number(0.95, 0.5, 0.999, false),
      },
      retryBudget: {
        ratio: budget.child('ratio').number(0.2, 0, 10, false),
        minPerSecond: budget.child('minPerSecond').number(20, 0, 1_000_000),
      },
      sendTransactionDomains: routing.child('sendTransactionDomains').number(2, 1, 10),
      slowStartMs: routing.child('slowStart').duration(1000),
      inFlightScale: routing.child('inFlightScale').number(16, 1, 4096),
      maxShare: readMaxShare(routing.child('maxShare')),
      maxInFlight: routing.child('maxInFlight').number(10_000, 1, 1_000_000),
      upstreamQueue: routing.child('upstreamQueue').number(64, 0, 100_000),
      // An attempt that would wait longer than ⅔ of its own deadline can hardly be answered in time.
      maxQueueWaitMs: routing.child('maxQueueWait').duration(Math.round((tryTimeoutMs * 2) / 3)),
    },
    breakers: {
      upstream: {
        errorThresholdPercentage: ub.child('errorThresholdPercentage').number(50, 1, 100),
        volumeThreshold: ub.child('volumeThreshold').number(4, 1, 10_000),
        windowMs: ub.child('window').duration(2000, 100),
        resetTimeoutMs: ub.child('resetTimeout').duration(500, 10),
        stallAfterMs: ub.child('stallAfter').duration(0),
      },
      domain: {
        minFailingUpstreams: db.child('minFailingUpstreams').number(2, 1, 100),
        windowMs: db.child('window').duration(1000, 10),
        backoffMs: db.child('backoff').duration(300, 10),
        maxBackoffMs: db.child('maxBackoff').duration(800, 10),
      },
    },
    health: {
      intervalMs: health.child('interval').duration(2000, 50),
      busyIntervalMs: health.child('busyInterval').duration(5000, 50),
      downIntervalMs: health.child('downInterval').duration(250, 50),
      watchIntervalMs: health.child('watchInterval').duration(500, 50),
      suspectIntervalMs: health.child('suspectInterval').duration(100, 10),
      minProbeTimeoutMs: health.child('minProbeTimeout').duration(30, 5),
      timeoutMs: health.child('timeout').duration(1500, 10),
      rise: health.child('rise').number(2, 1, 100),
      fall: health.child('fall').number(2, 1, 100),
      maxBlockLag: health.child('maxBlockLag').number(5, 0, 1_000_000),
      checkSyncing: health.child('checkSyncing').boolean(false),
    },
    cache: {
      enabled: cache.child('enabled').boolean(true),
      maxEntries: cache.child('maxEntries').number(10_000, 1),
      maxBytes: cache.child('maxBytes').size(64 * 1024 * 1024),
    },
    subscriptions: {
      maxConnections: subs.child('maxConnections').number(10_000, 1, 1_000_000),
      maxPerConnection: subs.child('maxPerConnection').number(100, 1, 100_000),
      sendBufferBytes: subs.child('sendBufferBytes').size(4 * 1024 * 1024),
      pingIntervalMs: subs.child('pingInterval').duration(30_000, 100),
      pollIntervalMs: subs.child('pollInterval').duration(1000, 20),
      reorgDepth: subs.child('reorgDepth').number(64, 1, 10_000),
      maxBackfill: subs.child('maxBackfill').number(1000, 1, 1_000_000),
      silentAfterMs: subs.child('silentAfter').duration(3000, 50),
    },
    fleet: readFleet(root.child('fleet')),
    chains,
    secrets,
  };
  if (config.breakers.domain.maxBackoffMs < config.breakers.domain.backoffMs) {
    db.child('maxBackoff').fail('expected at least breakers.domain.backoff');
  }
  return deepFreeze(config);
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
