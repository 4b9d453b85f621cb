// The shape of a loaded config: every section and key with its unit, as the rest of Switchyard reads
// it (frozen). The sections are read in their own files (server-config.ts, routing-config.ts, …).
import type { ChainIdentity } from './chain-identity.js';
import type { FleetConfig } from './fleet-config.js';
import type { MaxShare } from './max-share-config.js';

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
    /** Solana logsSubscribe: slots of blocks read to backfill a feed outage, at most. */
    solanaLogsBackfill: number;
  };
  /** Fleet mode: instances share verdicts, cordons, rate limits and servedHead on Redis (src/fleet/). */
  fleet: FleetConfig | undefined;
  chains: readonly ChainConfig[];
  /** Values substituted from the environment: scrubbed from every log line. */
  secrets: readonly string[];
}
