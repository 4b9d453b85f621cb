// Starts OpenTelemetry tracing from `tracing:` (src/config/tracing-config.ts): a tracer provider whose
// spans are batched and POSTed as OTLP/HTTP JSON to `<otlp>/v1/traces`, the client-call stage and the
// attempt hooks. Loaded only when `tracing` is configured (a dynamic import in src/app/tracing.ts).
// The batch's size and delay follow OpenTelemetry's own OTEL_BSP_* environment variables.
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/tracing-config.js';
import type { Logger } from '../log/logger.js';
import type { Observer } from '../routing/observer.js';
import type { CallStage } from '../stages/call-pipeline.js';
import { VERSION } from '../status/version.js';
import { tracingObserver } from './attempt-spans.js';
import { CallSpans } from './call-spans.js';

/** A failed export is logged at most this often (a collector that is down fails every batch). */
const EXPORT_WARN_INTERVAL_MS = 60_000;

export interface Tracing {
  /** Runs first in the call pipeline: the client call's span. */
  readonly stage: CallStage;
  /** `base` with the attempt hooks added: a child span per upstream attempt. */
  observe(base: Observer): Observer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(config: TracingConfig, logger: Logger): Tracing {
  const exporter = new WarningExporter(new OTLPTraceExporter({ url: config.tracesUrl }), logger);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': VERSION }),
    // Which calls are traced is decided before a span exists (call-spans.ts): every span started is kept.
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('switchyard', VERSION);
  const calls = new CallSpans(tracer, config.sampleRate);
  logger.info('tracing on', { sampleRate: config.sampleRate, serviceName: config.serviceName });
  return {
    stage: calls.stage,
    observe: (base) => tracingObserver(base, tracer, calls),
    shutdown: () => provider.shutdown(),
  };
}

/** The OTLP exporter, with failed exports logged (rate-limited; never the URL, which may hold a key). */
class WarningExporter implements SpanExporter {
  private lastWarnMs = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.error !== undefined || result.code !== 0) {
        const nowMs = Date.now();
        if (nowMs - this.lastWarnMs >= EXPORT_WARN_INTERVAL_MS) {
          this.lastWarnMs = nowMs;
          const error = result.error as { code?: unknown; name?: unknown } | undefined;
          this.logger.warn('trace export failed; spans dropped', {
            spans: spans.length,
            error: String(error?.code ?? error?.name ?? 'export failed'),
          });
        }
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
