// Adds OpenTelemetry tracing to the operations' server options when `tracing` is configured. This file
// and everything it loads (src/tracing/, the @opentelemetry packages) are imported only then
// (traceIfConfigured in src/app/configured-tracing.ts, for the CLI and the library): without `tracing` the
// process loads none of it and the call path is unchanged.
import type { TracingConfig } from '../config/tracing-config.js';
import type { Logger } from '../log/logger.js';
import { nullObserver } from '../routing/observer.js';
import { startTracing, type Tracing } from '../tracing/start-tracing.js';
import type { Wiring } from './operations.js';

export function addTracing(ops: Wiring, config: TracingConfig, logger: Logger): Tracing {
  const tracing = startTracing(config, logger);
  const { options } = ops;
  ops.options = {
    ...options,
    observer: tracing.observe(options.observer ?? nullObserver),
    // First: denied, cached and refused calls are traced too.
    stages: [tracing.stage, ...(options.stages ?? [])],
  };
  return tracing;
}
