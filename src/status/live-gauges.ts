// The gauges of /metrics read from live state at scrape time (so a reload shows at once): build and
// process state, then each upstream, domain, feed and chain of the runtime in use.
import { Gauge, type Registry } from 'prom-client';
import type { Runtime } from '../runtime/runtime.js';
import type { CurrentSource, MetricsSource } from './metrics-source.js';
import { chainShare, isUsable } from './status-model.js';
import { VERSION } from './version.js';

const DETECTION_LEVEL = { clear: 0, suspect: 1, down: 2 } as const;
const HEALTH_STATES = ['unknown', 'up', 'down'] as const;
const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

type SetGauge = (labels: Record<string, string>, value: number) => void;
type Chain = Runtime['defaultChain'];
type ChainUpstream = Chain['upstreams'][number];

/** Visits every upstream of every chain, with its (chain, upstream) labels. */
function eachUpstream(
  runtime: Runtime,
  visit: (chain: Chain, u: ChainUpstream, base: Record<string, string>) => void,
): void {
  for (const chain of runtime.chains.values()) {
    for (const u of chain.upstreams) visit(chain, u, { chain: chain.name, upstream: u.name });
  }
}

export function registerLiveGauges(registers: Registry[], current: CurrentSource): void {
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
      this.set(current()?.requestsInFlight ?? 0);
    },
  });
  new Gauge({
    name: 'switchyard_draining',
    help: '1 while shutting down (not accepting new connections)',
    registers,
    collect() {
      this.set(current()?.isDraining ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_config_loaded_timestamp_seconds',
    help: 'When the config in use was loaded (start or last applied reload), Unix seconds',
    registers,
    collect() {
      const source = current();
      if (source) this.set(source.configLoadedAtMs / 1000);
    },
  });

  /** A gauge cleared and refilled from the current runtime at each scrape (reloads show at once). */
  const liveGauge = (
    name: string,
    help: string,
    extraLabels: string[],
    fill: (set: SetGauge, source: MetricsSource, nowMs: number) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: extraLabels,
      registers,
      collect() {
        this.reset();
        const source = current();
        if (source) fill((labels, value) => this.set(labels, value), source, Date.now());
      },
    });

  liveGauge(
    'switchyard_upstream_info',
    'Always 1; carries the failure-domain labels of each upstream (join on chain, upstream)',
    ['chain', 'upstream', 'cloud', 'region', 'provider', 'network'],
    (set, { runtime }) =>
      eachUpstream(runtime, (_c, u, base) =>
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
    (set, { runtime }) =>
      eachUpstream(runtime, (_c, u, base) => set(base, DETECTION_LEVEL[u.detection.state])),
  );
  liveGauge(
    'switchyard_upstream_in_flight',
    'Attempts in flight to each upstream',
    ['chain', 'upstream'],
    (set, { runtime }) => eachUpstream(runtime, (_c, u, base) => set(base, u.inFlight)),
  );
  liveGauge(
    'switchyard_upstream_latency_ewma_seconds',
    'Latency estimate of each upstream (fast-attack, slow-release EWMA, decaying while idle; the balancer cost input)',
    ['chain', 'upstream'],
    (set, { runtime }, nowMs) =>
      eachUpstream(runtime, (_c, u, base) => set(base, u.latency.valueAt(nowMs) / 1000)),
  );
  liveGauge(
    'switchyard_upstream_health_state',
    'Active health state of each upstream: 1 on the current state (unknown, up, down)',
    ['chain', 'upstream', 'state'],
    (set, { runtime }) =>
      eachUpstream(runtime, (_c, u, base) => {
        for (const state of HEALTH_STATES) set({ ...base, state }, u.health === state ? 1 : 0);
      }),
  );
  liveGauge(
    'switchyard_upstream_breaker_state',
    'Circuit breaker of each upstream: 1 on the current state (closed, open, half_open)',
    ['chain', 'upstream', 'state'],
    (set, { runtime }) =>
      eachUpstream(runtime, (_c, u, base) => {
        const current = u.breakerState;
        for (const state of BREAKER_STATES) set({ ...base, state }, current === state ? 1 : 0);
      }),
  );
  liveGauge(
    'switchyard_upstream_usable',
    '1 when the upstream may take traffic (healthy, breaker and every failure domain not open, right chain)',
    ['chain', 'upstream'],
    (set, { runtime }, nowMs) =>
      eachUpstream(runtime, (c, u, base) => set(base, isUsable(c, u, nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_cordoned',
    "1 while an operator's cordon covers the upstream (it then takes traffic only in panic)",
    ['chain', 'upstream'],
    (set, { runtime }, nowMs) =>
      eachUpstream(runtime, (c, u, base) => set(base, c.cordons.cordonOf(u, nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_throttled',
    '1 while the upstream is backed off after a rate-limit answer',
    ['chain', 'upstream'],
    (set, { runtime }, nowMs) =>
      eachUpstream(runtime, (_c, u, base) => set(base, u.isThrottled(nowMs) ? 1 : 0)),
  );
  liveGauge(
    'switchyard_upstream_block_lag',
    'Blocks behind the best head of the chain (absent until the head is known)',
    ['chain', 'upstream'],
    (set, { runtime }) =>
      eachUpstream(runtime, (c, u, base) => {
        const lag = c.lagOf(u);
        if (lag !== undefined) set(base, lag);
      }),
  );
  liveGauge('switchyard_websocket_connections', 'WebSocket client connections open', [], (set, source) =>
    set({}, source.websocket?.connectionCount ?? 0),
  );
  liveGauge(
    'switchyard_subscriptions',
    'Client subscriptions, by chain and kind (newHeads, logs, newPendingTransactions)',
    ['chain', 'kind'],
    (set, source) => {
      for (const { chain, kind, count } of source.websocket?.subscriptions.counts() ?? [])
        set({ chain, kind }, count);
      for (const c of source.runtime.chains.values()) {
        const family = source.websocket?.familyStatus?.(c.name);
        for (const [kind, count] of Object.entries(family?.subscriptions ?? {}))
          set({ chain: c.name, kind }, count);
      }
    },
  );
  liveGauge(
    'switchyard_subscription_feed_head_block',
    "Head of the chain's subscription feed (the last block announced to subscribers)",
    ['chain'],
    (set, source) => {
      for (const c of source.runtime.chains.values()) {
        const head =
          source.websocket?.subscriptions.status(c.name)?.head ??
          source.websocket?.familyStatus?.(c.name)?.head;
        if (head !== undefined && head !== null) set({ chain: c.name }, head);
      }
    },
  );
  liveGauge(
    'switchyard_subscription_feed_source_up',
    "1 while an upstream feeds the chain's subscriptions over its WebSocket (transport=ws) or by polling (transport=poll)",
    ['chain', 'upstream', 'transport'],
    (set, source) => {
      for (const c of source.runtime.chains.values()) {
        for (const s of source.websocket?.subscriptions.status(c.name)?.sources ?? []) {
          set({ chain: c.name, upstream: s.upstream, transport: s.transport }, s.connected ? 1 : 0);
        }
        // A family's own feed (Solana PubSub, CometBFT, …) reports its sources the same way.
        for (const s of source.websocket?.familyStatus?.(c.name)?.sources ?? []) {
          set({ chain: c.name, upstream: s.upstream, transport: s.transport }, s.connected ? 1 : 0);
        }
      }
    },
  );
  liveGauge(
    'switchyard_chain_head_block',
    'Best head block seen on the chain',
    ['chain'],
    (set, { runtime }) => {
      for (const c of runtime.chains.values()) {
        const head = c.bestHead;
        if (head !== undefined) set({ chain: c.name }, head);
      }
    },
  );
  liveGauge(
    'switchyard_domain_state',
    'Failure-domain breaker: 1 on the current state (closed, open, half_open)',
    ['chain', 'domain', 'kind', 'state'],
    (set, { runtime }, nowMs) => {
      for (const c of runtime.chains.values()) {
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
    (set, { runtime }, nowMs) => {
      for (const c of runtime.chains.values()) {
        set({ chain: c.name }, c.upstreams.some((u) => isUsable(c, u, nowMs)) ? 0 : 1);
      }
    },
  );
  liveGauge(
    'switchyard_traffic_share_ratio',
    'Share of attempts over the last 10 s, by cloud, region or provider (label by) and its value (label key)',
    ['chain', 'by', 'key'],
    (set, source) => {
      for (const c of source.runtime.chains.values()) {
        const share = chainShare(c, source.traffic);
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
}
