// The shape of a loaded config: every section and key with its unit, as the rest of Switchyard reads
// it (frozen). The sections are read in their own files (server-config.ts, routing-config.ts, …).
import type { ChainIdentity } from './chain-identity.js';
import type { FleetConfig } from './fleet-config.js';
import type { ListenAddress } from './listen-address.js';
import type { MaxShare } from './max-share-config.js';
import type { ProviderConfig, RateLimitConfig } from './providers-config.js';
import type { TracingConfig } from './tracing-config.js';
import type { VerifyConfig } from './verify-config.js';

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
  /** This upstream's own limit in requests per second (src/routing/upstream-limits.ts). */
  rateLimit: RateLimitConfig | undefined;
  /** Trialled on copies of sampled reads only: never serves a client (src/routing/shadow-reads.ts). */
  shadow: boolean;
}

export interface ChainConfig extends ChainIdentity {
  name: string;
  upstreams: readonly UpstreamConfig[];
  /** Verified reads (src/stages/verify/); absent: off unless a request asks (x-switchyard-verify). */
  verify?: VerifyConfig | undefined;
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
    /** The operator routes' own listener; unset: they share the JSON-RPC port (server/ops-listener.ts). */
    opsListen: ListenAddress | undefined;
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
    /** Throttling answers lower an upstream's rate, quiet periods raise it (src/routing/rate-tuner.ts). */
    autoTune: boolean;
    /** Share of client reads copied to each shadow upstream. */
    shadowRate: number;
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
  /** Limits, credit weights and budgets per provider label (src/routing/provider-account.ts). */
  providers: Readonly<Record<string, ProviderConfig>>;
  /** Where budget spend is kept across restarts (absolute; beside the config by default). */
  stateFile: string;
  /** Values substituted from the environment: scrubbed from every log line. */
  secrets: readonly string[];
  /** OpenTelemetry traces (tracing-config.ts); absent: not loaded at all. */
  tracing: TracingConfig | undefined;
}
