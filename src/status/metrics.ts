// Prometheus metrics (prom-client): the Observer the core reports events to (metrics-observer.ts,
// event-series.ts), gauges read from live state at scrape time (live-gauges.ts, so a reload shows at
// once), and the /metrics registry. Labels are bounded: chain, upstream and domain names come from
// config, methods from a fixed list (methods.ts), reasons and states from fixed sets. Never a URL, a key
// or raw client input. Metric list: README.md, "Metrics".
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Observer } from '../routing/observer.js';
import { registerEventSeries } from './event-series.js';
import { limitsMetrics } from './limits-metrics.js';
import { registerLiveGauges } from './live-gauges.js';
import { metricsObserver } from './metrics-observer.js';
import type { MetricsSource } from './metrics-source.js';
import { SeriesKeys } from './series-keys.js';
import { shareCapMetrics } from './share-cap-metrics.js';

export type { MetricsSource } from './metrics-source.js';

export interface Metrics {
  registry: Registry;
  observer: Observer;
  /** Points the scrape-time gauges (and the per-cloud traffic counters) at this server. */
  attach(source: MetricsSource): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_', eventLoopMonitoringPrecision: 10 });
  let source: MetricsSource | undefined;
  const current = () => source;
  const registers = [registry];

  const series = registerEventSeries(registers);
  registerLiveGauges(registers, current);
  const shareCaps = shareCapMetrics(registers, () => source?.runtime);
  const limits = limitsMetrics(registers, () => source?.runtime);
  return {
    registry,
    observer: {
      ...metricsObserver(series, new SeriesKeys(), shareCaps, current),
      shadowRead: limits.shadowRead,
    },
    attach(next) {
      source = next;
    },
  };
}
