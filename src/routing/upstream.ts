// One upstream: its static labels and its live state (in-flight, latency estimate, breaker, health,
// head, throttling, methods it does not serve). The dispatcher and the health checker write it.
import CircuitBreaker from 'opossum';
import type { Config, UpstreamConfig } from '../config/config.js';
import { redactUrl } from '../log/redact.js';
import type { Detection } from './detection.js';
import { DisputeBook } from './disputes.js';
import { LatencyEstimate } from './latency-estimate.js';
import { PendingAttempts } from './pending-attempts.js';
import type { RateTuner } from './rate-tuner.js';
import { RecentFailures } from './recent-failures.js';
import { SlowStartRamp } from './slow-start.js';
import { UpstreamClient } from './upstream-client.js';
import type { UpstreamLimits } from './upstream-limits.js';

export type HealthState = 'unknown' | 'up' | 'down';
export type UpstreamBreakerState = 'closed' | 'open' | 'half_open';

/** Settles an attempt's health verdict inside opossum without counting against the upstream. */
export class NeutralVerdict extends Error {}

/** Cap on remembered unsupported methods per upstream, so client input cannot grow memory. */
const MAX_UNSUPPORTED = 256;
const INITIAL_LATENCY_MS = 20;
/** A hung probe holds its connection until its deadline; probes of a down upstream overlap (health/detector.ts). */
const PROBE_CONNECTIONS = 8;

function domainKeys(u: UpstreamConfig): string[] {
  const keys = [`region:${u.cloud}/${u.region}`, `provider:${u.provider}`];
  if (u.network) keys.push(`network:${u.network}`);
  return keys;
}

/** Everything an Upstream instance is built from: equal setups can share one instance across reloads. */
export function upstreamSetup(config: UpstreamConfig, chain: string, settings: Config): string {
  const { routing, health, breakers } = settings;
  return JSON.stringify([
    config,
    chain,
    routing.tryTimeoutMs,
    routing.connectTimeoutMs,
    health.timeoutMs,
    breakers.upstream,
  ]);
}

export class Upstream {
  readonly name: string;
  readonly domains: readonly string[];
  readonly client: UpstreamClient;
  /**
   * The detector's liveness probes go on connections of their own: a probe queued behind busy client
   * calls would time out on our own queue, not on the upstream.
   */
  readonly probeClient: UpstreamClient;
  readonly breaker: CircuitBreaker<[Promise<void>], void>;
  readonly latency: LatencyEstimate;
  readonly pending = new PendingAttempts();
  /** Failed attempts lately (decaying): they raise the selection cost. */
  readonly failures = new RecentFailures();
  health: HealthState = 'unknown';
  /** The detector's verdict (health/detector.ts): suspect while probes confirm, down once they did. */
  detection: Detection = { state: 'clear', reason: '', sinceMs: 0 };
  /** Last identity the upstream reported (chain id, genesis hash, network); a mismatch keeps it out of all traffic. */
  reportedIdentity: string | undefined;
  wrongChain = false;
  head: number | undefined;
  headSeenAtMs: number | undefined;
  throttledUntilMs = 0;
  /** The slow-start ramp after the upstream (or its domain) came back, or a throttle back-off ended. */
  readonly ramp = new SlowStartRamp();
  /** The last time it came back (kept after the ramp ends): failures of older attempts are no news. */
  lastRecoveryMs = 0;
  lastSuccessMs = 0;
  /** The last answer of any kind that showed it alive: a live success or a liveness probe's answer. */
  lastAliveMs = 0;
  lastError: string | undefined;
  archive: boolean | undefined;
  readonly unsupported = new Set<string>();
  readonly counts = { attempts: 0, failures: 0, successes: 0 };
  /** Its auto-tuned rate (`routing.autoTune`); kept across reloads with the upstream. */
  tuner: RateTuner | undefined;
  /** Its rate limits and its provider's account; undefined when none applies (set by its chain runtime). */
  limits: UpstreamLimits | undefined;
  /** Verified reads its answer lost (src/stages/verify/): repeated ones take it out of rotation. */
  readonly disputes = new DisputeBook();
  /** What this instance was built from; a reload with the same setup keeps the instance and its state. */
  readonly setup: string;
  /** The chain runtime that closes this upstream: a reload that keeps it takes it over. */
  owner: unknown;

  constructor(
    readonly config: UpstreamConfig,
    readonly chain: string,
    settings: Config,
    nowMs: number,
  ) {
    this.name = config.name;
    this.setup = upstreamSetup(config, chain, settings);
    this.domains = domainKeys(config);
    this.archive = config.archive;
    this.client = new UpstreamClient({
      url: config.url,
      headers: config.headers,
      maxConnections: config.maxConnections,
      connectTimeoutMs: settings.routing.connectTimeoutMs,
      ioTimeoutMs: Math.max(settings.routing.tryTimeoutMs, settings.health.timeoutMs),
    });
    this.probeClient = new UpstreamClient({
      url: config.url,
      headers: config.headers,
      maxConnections: PROBE_CONNECTIONS,
      connectTimeoutMs: settings.routing.connectTimeoutMs,
      ioTimeoutMs: settings.health.timeoutMs,
    });
    this.latency = new LatencyEstimate(INITIAL_LATENCY_MS, nowMs);
    const ub = settings.breakers.upstream;
    this.breaker = new CircuitBreaker((verdict: Promise<void>) => verdict, {
      name: config.name,
      timeout: false, // attempts carry their own AbortController deadline (opossum #780)
      errorThresholdPercentage: ub.errorThresholdPercentage,
      volumeThreshold: ub.volumeThreshold,
      resetTimeout: ub.resetTimeoutMs,
      rollingCountTimeout: ub.windowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false, // sorting latencies per failure burns a core in an outage
      enableSnapshots: false,
      errorFilter: (err: Error) => err instanceof NeutralVerdict,
    });
    this.breaker.on('close', () => {
      this.markRecovered(Date.now());
    });
  }

  /** Out of rotation (except in panic): its health checks failed, or probes confirmed a suspicion. */
  get isDown(): boolean {
    return this.health === 'down' || this.detection.state === 'down';
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * What a call sent now should take: the latency estimate, or longer once an attempt in flight has
   * waited more than twice it (by how much more). With several in flight the oldest has routinely
   * waited about one estimate, a jitter that must not send traffic to a slower network; a hang still
   * shows within milliseconds and keeps growing.
   */
  expectedLatencyMs(nowMs: number): number {
    const estimate = this.latency.valueAt(nowMs);
    const oldest = this.pending.oldestStartMs();
    const waited = oldest === undefined ? 0 : nowMs - oldest;
    return Math.max(estimate, waited - estimate);
  }

  get breakerState(): UpstreamBreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /** The breaker lets a new attempt through (closed, or half-open with its one probe still free). */
  get breakerAdmits(): boolean {
    return this.breaker.closed || this.breaker.pendingClose;
  }

  get redactedUrl(): string {
    return redactUrl(this.config.url);
  }

  /** Records what the identity probe (or a live identity answer) said; `matches`: it is this chain. */
  markIdentity(reported: string | undefined, matches: boolean): void {
    this.reportedIdentity = reported;
    this.wrongChain = !matches;
  }

  /** The reported identity as an EVM chain id (what /status and fleet messages show), when it is one. */
  get reportedChainId(): number | undefined {
    const id = this.reportedIdentity;
    return id !== undefined && /^\d{1,15}$/.test(id) ? Number(id) : undefined;
  }

  set reportedChainId(id: number | undefined) {
    this.reportedIdentity = id === undefined ? undefined : String(id);
  }

  /**
   * Whether the failure of an attempt sent at `sentAtMs` is news: not when the upstream answered or
   * came back since (a call that hung through an outage and fails after the heal speaks of the past).
   */
  failureIsNews(sentAtMs: number): boolean {
    return sentAtMs >= this.lastAliveMs && sentAtMs >= this.lastRecoveryMs;
  }

  markUnsupported(method: string): void {
    if (this.unsupported.size < MAX_UNSUPPORTED) this.unsupported.add(method);
  }

  /**
   * Came back (its breaker or a domain closed, its health went up): ramp up over the slow start, and
   * forget recent failures, including late ones of attempts sent before now (a call that hung through
   * the outage and times out after it).
   */
  markRecovered(atMs: number): void {
    this.ramp.start(atMs);
    this.lastRecoveryMs = atMs;
    this.failures.clear();
  }

  /**
   * Left alone until `untilMs` (Retry-After), then ramped back in over the slow start: the cheapest
   * upstream would otherwise take the whole load back at once and be rate-limited again at once.
   */
  throttle(untilMs: number): void {
    this.throttledUntilMs = Math.max(this.throttledUntilMs, untilMs);
    this.ramp.start(this.throttledUntilMs);
  }

  isThrottled(nowMs: number): boolean {
    return nowMs < this.throttledUntilMs;
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await Promise.all([this.client.close(), this.probeClient.close()]);
  }
}
