// Prometheus metrics (prom-client): the Observer the core reports events to, gauges read from live
// state at scrape time (so a reload shows at once), and the /metrics registry. Labels are bounded:
// chain, upstream and domain names come from config, methods from a fixed list (methods.ts), reasons
// and states from fixed sets. Never a URL, a key or raw client input. Metric list: README.md, "Metrics".
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Observer } from '../routing/observer.js';
import type { TrafficMeter } from '../routing/traffic-share.js';
import type { Runtime } from '../runtime/runtime.js';
import { KEY_SEPARATOR as SEP, TalliedCounter, TalliedHistogram } from './metric-tally.js';
import { shareCapMetrics } from './share-cap-metrics.js';
import { chainShare, isUsable } from './status-model.js';
import { VERSION } from './version.js';

const DETECTION_LEVEL = { clear: 0, suspect: 1, down: 2 } as const;

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HEALTH_STATES = ['unknown', 'up', 'down'] as const;
const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/** The live state gauges read at scrape time (SwitchyardServer satisfies it). */
export interface MetricsSource {
  readonly runtime: Runtime;
  readonly websocket?: {
    readonly connectionCount: number;
    readonly subscriptions: {
      counts(): { chain: string; kind: string; count: number }[];
      status(
        chain: string,
      ):
        | { head: number | null; sources: { upstream: string; transport: string; connected: boolean }[] }
        | undefined;
    };
  };
  readonly requestsInFlight: number;
  readonly traffic: TrafficMeter;
  readonly isDraining: boolean;
  readonly configLoadedAtMs: number;
}

export interface Metrics {
  registry: Registry;
  observer: Observer;
  /** Points the scrape-time gauges (and the per-cloud traffic counters) at this server. */
  attach(source: MetricsSource): void;
}

interface UpstreamLabels {
  cloud: string;
  region: string;
  provider: string;
}

/** The tallied series keys of one (chain, upstream). */
interface AttemptKeys {
  /** chain SEP upstream: the attempt-duration series. */
  upstream: string;
  /** Attempt-count series keys by outcome, then kind. */
  byOutcome: Map<string, Map<string, string>>;
  /** The runtime `traffic` was looked up in. */
  runtime: Runtime | undefined;
  traffic: { key: string; labels: UpstreamLabels } | undefined;
}

/**
 * `outer[a][b]`, made by `make(a, b, prefix)` the first time. The makers are module functions, not
 * closures: a closure per lookup would allocate what the memo saves.
 */
function memoized<V>(
  outer: Map<string, Map<string, V>>,
  a: string,
  b: string,
  prefix: string,
  make: (a: string, b: string, prefix: string) => V,
): V {
  let inner = outer.get(a);
  if (!inner) {
    inner = new Map();
    outer.set(a, inner);
  }
  let value = inner.get(b);
  if (value === undefined) {
    value = make(a, b, prefix);
    inner.set(b, value);
  }
  return value;
}

function makeAttemptKeys(chain: string, upstream: string): AttemptKeys {
  return {
    upstream: `${chain}${SEP}${upstream}`,
    byOutcome: new Map(),
    runtime: undefined,
    traffic: undefined,
  };
}

function joinKey(outcome: string, kind: string, prefix: string): string {
  return `${prefix}${SEP}${outcome}${SEP}${kind}`;
}

function makeRequestKeys(chain: string, method: string): RequestKeys {
  const methodKey = `${chain}${SEP}${method}`;
  return { method: methodKey, ok: `${methodKey}${SEP}ok`, error: `${methodKey}${SEP}error` };
}

/** The tallied series keys of one (chain, method). */
interface RequestKeys {
  method: string;
  ok: string;
  error: string;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_', eventLoopMonitoringPrecision: 10 });
  let source: MetricsSource | undefined;
  const registers = [registry];

  // ---- events (counters and histograms) ----
  // The five per-request series are tallied (metric-tally.ts); the rest are rare events.
  const requests = new TalliedCounter({
    name: 'switchyard_requests_total',
    help: 'JSON-RPC calls answered, by chain, method and result',
    labelNames: ['chain', 'method', 'result'],
    registers,
  });
  const requestSeconds = new TalliedHistogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time to answer one JSON-RPC call, retries and hedges included',
    labelNames: ['chain', 'method'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const attempts = new TalliedCounter({
    name: 'switchyard_upstream_attempts_total',
    help: 'Attempts sent to upstreams, by outcome and kind (primary, retry, hedge)',
    labelNames: ['chain', 'upstream', 'outcome', 'kind'],
    registers,
  });
  const attemptSeconds = new TalliedHistogram({
    name: 'switchyard_upstream_attempt_duration_seconds',
    help: 'Latency of attempts to each upstream',
    labelNames: ['chain', 'upstream'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const trafficAttempts = new TalliedCounter({
    name: 'switchyard_traffic_attempts_total',
    help: 'Attempts sent, by the failure-domain labels of the upstream (for traffic share per cloud/provider)',
    labelNames: ['chain', 'cloud', 'region', 'provider'],
    registers,
  });
  const hedges = new Counter({
    name: 'switchyard_hedges_total',
    help: 'Hedged attempts, by whether their answer was used (won) or not (lost)',
    labelNames: ['chain', 'result'],
    registers,
  });
  const retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Retries after a failed attempt',
    labelNames: ['chain'],
    registers,
  });
  const panics = new Counter({
    name: 'switchyard_panic_selections_total',
    help: 'Selections made in panic mode (health filters left no upstream, so all were used)',
    labelNames: ['chain'],
    registers,
  });
  const stalls = new Counter({
    name: 'switchyard_upstream_stalls_total',
    help: 'Attempts that got no answer within the stall delay (counted as failures)',
    labelNames: ['chain', 'upstream'],
    registers,
  });
  const transitions = new Counter({
    name: 'switchyard_breaker_transitions_total',
    help: 'Breaker state changes for upstreams (kind=upstream) and failure domains (kind=domain)',
    labelNames: ['kind', 'chain', 'key', 'to'],
    registers,
  });
  const checks = new Counter({
    name: 'switchyard_health_checks_total',
    help: 'Active health check probes, by result',
    labelNames: ['chain', 'upstream', 'probe', 'result'],
    registers,
  });
  const detections = new Counter({
    name: 'switchyard_upstream_detection_total',
    help: 'Detector verdicts: an upstream became suspect, was confirmed down, or was cleared (state)',
    labelNames: ['chain', 'upstream', 'state'],
    registers,
  });
  const rejected = new Counter({
    name: 'switchyard_rejected_total',
    help: 'Requests or calls refused before reaching an upstream, by reason',
    labelNames: ['reason'],
    registers,
  });
  const keyRequests = new Counter({
    name: 'switchyard_api_key_requests_total',
    help: 'Requests per API key name (never the key), by whether the rate limit allowed them',
    labelNames: ['api_key', 'result'],
    registers,
  });
  const reloads = new Counter({
    name: 'switchyard_config_reloads_total',
    help: 'Config reloads, by result (applied, rejected)',
    labelNames: ['result'],
    registers,
  });
  for (const result of ['applied', 'rejected']) reloads.inc({ result }, 0);
  const notifications = new Counter({
    name: 'switchyard_subscription_notifications_total',
    help: 'Subscription notifications sent to WebSocket clients, by chain and kind',
    labelNames: ['chain', 'kind'],
    registers,
  });
  const feedEvents = new Counter({
    name: 'switchyard_subscription_feed_events_total',
    help: 'Subscription feed events: backfilled_block, backfilled_log, reorg, orphaned_block, skipped_block, source_down, source_silent',
    labelNames: ['chain', 'event'],
    registers,
  });
  const wsClosed = new Counter({
    name: 'switchyard_websocket_closed_total',
    help: 'WebSocket client connections closed by Switchyard, by reason (slow_consumer, ping_timeout, shutdown, chain_removed)',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of ['slow_consumer', 'ping_timeout', 'shutdown', 'chain_removed'])
    wsClosed.inc({ reason }, 0);
  const cacheLookups = new Counter({
    name: 'switchyard_cache_lookups_total',
    help: 'Response-cache lookups for cacheable calls, by result (hit, miss)',
    labelNames: ['chain', 'result'],
    registers,
  });

  // ---- live state, read at scrape time ----
  new Gauge({
    name: 'switchyard_build_info',
    help: 'Always 1; the version label tells which build runs',
    labelNames: ['version'],
    registers,
    collect() {
      this.set({ version: VERSION }, 1);
    },
  });
  new Gauge({
    name: 'switchyard_http_requests_in_flight',
    help: 'HTTP requests being served right now',
    registers,
    collect() {
      this.set(source?.requestsInFlight ?? 0);
    },
  });
  new Gauge({
    name: 'switchyard_draining',
    help: '1 while shutting down (not accepting new connections)',
    registers,
    collect() {
      this.set(source?.isDraining ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_config_loaded_timestamp_seconds',
    help: 'When the config in use was loaded (start or last applied reload), Unix seconds',
    registers,
    collect() {
      if (source) this.set(source.configLoadedAtMs / 1000);
    },
  });

  /** A gauge cleared and refilled from the current runtime at each scrape (reloads show at once). */
  const liveGauge = (
    name: string,
    help: string,
    extraLabels: string[],
    fill: (set: (labels: Record<string, string>, value: number) => void, nowMs: number) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: extraLabels,
      registers,
      collect() {
        this.reset();
        if (source) fill((labels, value) => this.set(labels, value), Date.now());
      },
    });

  const eachUpstream = (
    visit: (
      chain: Runtime['defaultChain'],
      u: Runtime['defaultChain']['upstreams'][number],
      base: Record<string, string>,
    ) => void,
  ) => {
    for (const chain of source!.runtime.chains.values()) {
      for (const u of chain.upstreams) visit(chain, u, { chain: chain.name, upstream: u.name });
    }
  };

  liveGauge(
    'switchyard_upstream_info',
    'Always 1; carries the failure-domain labels of each upstream (join on chain, upstream)',
    ['chain', 'upstream', 'cloud', 'region', 'provider', 'network'],
    (set) =>
      eachUpstream((_c, u, base) =>
        set(
          {
            ...base,
            cloud: u.config.cloud,
            region: u.config.region,
            provider: u.config.provider,
            network: u.config.network ?? '',
          },
          1,
        ),
      ),
  );
  liveGauge(
    'switchyard_upstream_detection_state',
    "The detector's view of each upstream: 0 clear, 1 suspect (probes under way), 2 confirmed down",
    ['chain', 'upstream'],
    (set) => eachUpstream((_c, u, base) => set(base, DETECTION_LEVEL[u.detection.state])),
  );
  liveGauge(
    'switchyard_upstream_in_flight',
    'Attempts in flight to each upstream',
    ['chain', 'upstream'],
    (set) => eachUpstream((_c, u, base) => set(base, u.inFlight)),
  );
  liveGauge(
    'switchyard_upstream_latency_ewma_seconds',
    'Latency estimate of each upstream (fast-attack, slow-release EWMA, decaying while idle; the balancer cost input)',
    ['chain', 'upstream'],
    (set, nowMs) => eachUpstream((_c, u, base) => set(base, u.latency.valueAt(nowMs) / 1000)),
  );
  liveGauge(
    'switchyard_upstream_health_state',
    'Active health state of each upstream: 1 on the current state (unknown, up, down)',
    ['chain', 'upstream', 'state'],
    (set) =>
      eachUpstream((_c, u, base) => {
        for (const state of HEALTH_STATES) set({ ...base, state }, u.health === state ? 1 : 0);
      }),
  );
  liveGauge(
    'switchyard_upstream_breaker_state',
    'Circuit breaker of each upstream: 1 on the current state (closed, open, half_open)',
    ['chain', 'upstream', 'state'],
    (set) =>
      eachUpstream((_c, u, base) => {
        const current = u.breakerState;
        for (const state of BREAKER_STATES) set({ ...base, state }, current === state ? 1 : 0);
      }),
  );
  liveGauge(
    'switchyard_upstream_usable',
    '1 when the upstream may take traffic (healthy, breaker and every failure domain not open, right chain)',
    ['chain', 'upstream'],
    (set, nowMs) => eachUpstream((c, u, base) => set(base, isUsable(c, u, nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_cordoned',
    "1 while an operator's cordon covers the upstream (it then takes traffic only in panic)",
    ['chain', 'upstream'],
    (set, nowMs) => eachUpstream((c, u, base) => set(base, c.cordons.cordonOf(u, nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_throttled',
    '1 while the upstream is backed off after a rate-limit answer',
    ['chain', 'upstream'],
    (set, nowMs) => eachUpstream((_c, u, base) => set(base, u.isThrottled(nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_block_lag',
    'Blocks behind the best head of the chain (absent until the head is known)',
    ['chain', 'upstream'],
    (set) =>
      eachUpstream((c, u, base) => {
        const lag = c.lagOf(u);
        if (lag !== undefined) set(base, lag);
      }),
  );
  liveGauge('switchyard_websocket_connections', 'WebSocket client connections open', [], (set) =>
    set({}, source!.websocket?.connectionCount ?? 0),
  );
  liveGauge(
    'switchyard_subscriptions',
    'Client subscriptions, by chain and kind (newHeads, logs, newPendingTransactions)',
    ['chain', 'kind'],
    (set) => {
      for (const { chain, kind, count } of source!.websocket?.subscriptions.counts() ?? [])
        set({ chain, kind }, count);
    },
  );
  liveGauge(
    'switchyard_subscription_feed_head_block',
    "Head of the chain's subscription feed (the last block announced to subscribers)",
    ['chain'],
    (set) => {
      for (const c of source!.runtime.chains.values()) {
        const head = source!.websocket?.subscriptions.status(c.name)?.head;
        if (head !== undefined && head !== null) set({ chain: c.name }, head);
      }
    },
  );
  liveGauge(
    'switchyard_subscription_feed_source_up',
    "1 while an upstream feeds the chain's subscriptions over its WebSocket (transport=ws) or by polling (transport=poll)",
    ['chain', 'upstream', 'transport'],
    (set) => {
      for (const c of source!.runtime.chains.values()) {
        for (const s of source!.websocket?.subscriptions.status(c.name)?.sources ?? []) {
          set({ chain: c.name, upstream: s.upstream, transport: s.transport }, s.connected ? 1 : 0);
        }
      }
    },
  );
  liveGauge('switchyard_chain_head_block', 'Best head block seen on the chain', ['chain'], (set) => {
    for (const c of source!.runtime.chains.values()) {
      const head = c.bestHead;
      if (head !== undefined) set({ chain: c.name }, head);
    }
  });
  liveGauge(
    'switchyard_domain_state',
    'Failure-domain breaker: 1 on the current state (closed, open, half_open)',
    ['chain', 'domain', 'kind', 'state'],
    (set, nowMs) => {
      for (const c of source!.runtime.chains.values()) {
        for (const d of c.domains.values()) {
          const current = d.stateAt(nowMs);
          const kind = d.key.slice(0, d.key.indexOf(':'));
          for (const state of BREAKER_STATES) {
            set({ chain: c.name, domain: d.key, kind, state }, current === state ? 1 : 0);
          }
        }
      }
    },
  );
  liveGauge(
    'switchyard_panic_mode',
    '1 when no upstream of the chain is usable, so selection falls back to all of them (panic)',
    ['chain'],
    (set, nowMs) => {
      for (const c of source!.runtime.chains.values()) {
        set({ chain: c.name }, c.upstreams.some((u) => isUsable(c, u, nowMs)) ? 0 : 1);
      }
    },
  );
  liveGauge(
    'switchyard_traffic_share_ratio',
    'Share of attempts over the last 10 s, by cloud, region or provider (label by) and its value (label key)',
    ['chain', 'by', 'key'],
    (set) => {
      for (const c of source!.runtime.chains.values()) {
        const share = chainShare(c, source!.traffic);
        const groups: [string, Record<string, number>][] = [
          ['cloud', share.byCloud],
          ['region', share.byRegion],
          ['provider', share.byProvider],
        ];
        for (const [by, values] of groups) {
          for (const [key, value] of Object.entries(values)) set({ chain: c.name, by, key }, value);
        }
      }
    },
  );

  const shareCaps = shareCapMetrics(registers, () => source?.runtime);

  // Failure-domain labels of an upstream, for the traffic counters; rebuilt when the runtime changes.
  let labelsFor: { runtime: Runtime; map: Map<string, UpstreamLabels> } | undefined;
  /** `key`: chain and upstream name joined by SEP, as the tallied series key them. */
  const upstreamLabels = (key: string): UpstreamLabels | undefined => {
    if (!source) return undefined;
    if (labelsFor?.runtime !== source.runtime) {
      const map = new Map<string, UpstreamLabels>();
      for (const c of source.runtime.chains.values()) {
        for (const u of c.upstreams) {
          map.set(`${c.name}${SEP}${u.name}`, {
            cloud: u.config.cloud,
            region: u.config.region,
            provider: u.config.provider,
          });
        }
      }
      labelsFor = { runtime: source.runtime, map };
    }
    return labelsFor.map.get(key);
  };

  // Series keys per (chain, upstream) and (chain, method), joined once: per event the hot path only
  // looks up strings it already holds (config names, fixed labels), so it builds no key strings.
  const attemptKeys = new Map<string, Map<string, AttemptKeys>>();
  const requestKeys = new Map<string, Map<string, RequestKeys>>();

  const observer: Observer = {
    attempt(chain, upstream, _method, outcome, latencyMs, kind) {
      const keys = memoized(attemptKeys, chain, upstream, '', makeAttemptKeys);
      const attemptKey = memoized(keys.byOutcome, outcome, kind, keys.upstream, joinKey);
      if (!attempts.count(attemptKey)) attempts.start(attemptKey, { chain, upstream, outcome, kind });
      const seconds = latencyMs / 1000;
      if (!attemptSeconds.record(keys.upstream, seconds))
        attemptSeconds.start(keys.upstream, { chain, upstream }, seconds);
      // The failure-domain labels come from the config in use: looked up again after a reload.
      if (keys.runtime !== source?.runtime) {
        keys.runtime = source?.runtime;
        const labels = upstreamLabels(keys.upstream);
        keys.traffic = labels && {
          key: `${keys.upstream}${SEP}${labels.cloud}${SEP}${labels.region}${SEP}${labels.provider}`,
          labels,
        };
      }
      const traffic = keys.traffic;
      if (traffic && !trafficAttempts.count(traffic.key))
        trafficAttempts.start(traffic.key, { chain, ...traffic.labels });
    },
    request(chain, method, result, latencyMs) {
      const keys = memoized(requestKeys, chain, method, '', makeRequestKeys);
      const resultKey = result === 'ok' ? keys.ok : keys.error;
      if (!requests.count(resultKey)) requests.start(resultKey, { chain, method, result });
      const seconds = latencyMs / 1000;
      if (!requestSeconds.record(keys.method, seconds))
        requestSeconds.start(keys.method, { chain, method }, seconds);
    },
    hedge(chain, won) {
      hedges.inc({ chain, result: won ? 'won' : 'lost' });
    },
    retry(chain) {
      retries.inc({ chain });
    },
    panic(chain) {
      panics.inc({ chain });
    },
    stall(chain, upstream) {
      stalls.inc({ chain, upstream });
    },
    breakerTransition(kind, chain, key, _from, to) {
      transitions.inc({ kind, chain, key, to });
    },
    healthCheck(chain, upstream, probe, ok) {
      checks.inc({ chain, upstream, probe, result: ok ? 'ok' : 'fail' });
    },
    detection(chain, upstream, state) {
      detections.inc({ chain, upstream, state });
    },
    rejected(reason) {
      rejected.inc({ reason });
    },
    apiKeyRequest(name, allowed) {
      keyRequests.inc({ api_key: name, result: allowed ? 'allowed' : 'rate_limited' });
    },
    configReload(ok) {
      reloads.inc({ result: ok ? 'applied' : 'rejected' });
    },
    shareCapYield(chain, by) {
      shareCaps.yielded(chain, by);
    },
    cacheLookup(chain, hit) {
      cacheLookups.inc({ chain, result: hit ? 'hit' : 'miss' });
    },
    notifications(chain, kind, count) {
      if (count > 0) notifications.inc({ chain, kind }, count);
    },
    feedEvent(chain, event, count) {
      feedEvents.inc({ chain, event }, count);
    },
    websocketClosed(reason) {
      wsClosed.inc({ reason });
    },
  };
  return {
    registry,
    observer,
    attach(next) {
      source = next;
    },
  };
}
