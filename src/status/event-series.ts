// The event series of /metrics: counters and histograms the Observer adds to as things happen. The five
// per-request series are tallied (metric-tally.ts); the rest are rare events.
import { Counter, type Registry } from 'prom-client';
import { TalliedCounter, TalliedHistogram } from './metric-tally.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type EventSeries = ReturnType<typeof registerEventSeries>;

export function registerEventSeries(registers: Registry[]) {
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
    help: 'Subscription feed events: backfilled_block, backfilled_log, reorg, orphaned_block, skipped_block, source_down, source_silent, reread, skipped_slot',
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
  const verifiedReads = new Counter({
    name: 'switchyard_verified_reads_total',
    help: 'Verified reads per upstream: verified (its answer counted), disputed (lost or failed a check); unverified per chain (upstream "")',
    labelNames: ['chain', 'upstream', 'result'],
    registers,
  });
  const cacheLookups = new Counter({
    name: 'switchyard_cache_lookups_total',
    help: 'Response-cache lookups for cacheable calls, by result (hit, miss)',
    labelNames: ['chain', 'result'],
    registers,
  });
  return {
    requests,
    requestSeconds,
    attempts,
    attemptSeconds,
    trafficAttempts,
    hedges,
    retries,
    panics,
    stalls,
    transitions,
    checks,
    detections,
    rejected,
    keyRequests,
    reloads,
    notifications,
    feedEvents,
    wsClosed,
    cacheLookups,
    verifiedReads,
  };
}
