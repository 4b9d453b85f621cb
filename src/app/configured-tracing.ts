// The one place tracing is switched on, for the CLI (src/main.ts) and the library
// (src/library/create-switchyard.ts): with `tracing` configured, src/app/tracing.ts and OpenTelemetry
// are loaded (only then) and added to the wiring's observer and stages.
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Tracing } from '../tracing/start-tracing.js';
import type { Wiring } from './operations.js';

/** The tracing added to `wiring`, or undefined without `tracing`; shut it down last. */
export async function traceIfConfigured(
  wiring: Wiring,
  config: Config,
  logger: Logger,
): Promise<Tracing | undefined> {
  if (!config.tracing) return undefined;
  const { addTracing } = await import('./tracing.js');
  return addTracing(wiring, config.tracing, logger);
}
