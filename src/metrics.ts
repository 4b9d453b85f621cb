// Prometheus metrics (prom-client): the Observer the core reports to, and the /metrics registry.
// Labels are bounded: chain and upstream names come from config, methods from a fixed list.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Observer } from './observer.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  observer: Observer;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  const requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'JSON-RPC calls answered, by chain, method and result',
    labelNames: ['chain', 'method', 'result'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time to answer one JSON-RPC call',
    labelNames: ['chain', 'method'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'switchyard_upstream_attempts_total',
    help: 'Attempts sent to upstreams, by outcome and kind (primary, retry, hedge)',
    labelNames: ['chain', 'upstream', 'outcome', 'kind'],
    registers: [registry],
  });
  const attemptSeconds = new Histogram({
    name: 'switchyard_upstream_attempt_duration_seconds',
    help: 'Latency of attempts to each upstream',
    labelNames: ['chain', 'upstream'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const hedges = new Counter({
    name: 'switchyard_hedges_total',
    help: 'Hedged attempts, by whether their answer was used',
    labelNames: ['chain', 'result'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Retries after a failed attempt',
    labelNames: ['chain'],
    registers: [registry],
  });
  const panics = new Counter({
    name: 'switchyard_panic_selections_total',
    help: 'Selections made in panic mode (health filters left no upstream, so all were used)',
    labelNames: ['chain'],
    registers: [registry],
  });
  const stalls = new Counter({
    name: 'switchyard_upstream_stalls_total',
    help: 'Attempts that got no answer within the stall delay (counted as failures)',
    labelNames: ['chain', 'upstream'],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'switchyard_breaker_transitions_total',
    help: 'Breaker state changes for upstreams and failure domains',
    labelNames: ['kind', 'chain', 'key', 'to'],
    registers: [registry],
  });
  const checks = new Counter({
    name: 'switchyard_health_checks_total',
    help: 'Active health check probes, by result',
    labelNames: ['chain', 'upstream', 'probe', 'result'],
    registers: [registry],
  });
  const observer: Observer = {
    attempt(chain, upstream, _method, outcome, latencyMs, kind) {
      attempts.inc({ chain, upstream, outcome, kind });
      attemptSeconds.observe({ chain, upstream }, latencyMs / 1000);
    },
    request(chain, method, result, latencyMs) {
      requests.inc({ chain, method, result });
      requestSeconds.observe({ chain, method }, latencyMs / 1000);
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
  };
  return { registry, observer };
}
