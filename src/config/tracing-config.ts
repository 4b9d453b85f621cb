// `tracing:` OpenTelemetry traces, exported over OTLP/HTTP. `otlp` is the collector's base URL, read
// as OpenTelemetry's own OTEL_EXPORTER_OTLP_ENDPOINT is: spans go to `<otlp>/v1/traces`. The URL may
// carry credentials, so errors never echo it. Absent: nothing of tracing is loaded (src/app/tracing.ts).
import { field, readSection } from './config-fields.js';
import type { Node } from './config-values.js';

export interface TracingConfig {
  /** Where spans are POSTed: `<otlp>/v1/traces`. */
  tracesUrl: string;
  /** Share of client calls traced when the client sent no `traceparent` (0..1). */
  sampleRate: number;
  /** The `service.name` resource attribute. */
  serviceName: string;
}

export function readTracing(node: Node): TracingConfig | undefined {
  if (node.missing) return undefined;
  return readSection<TracingConfig>(node, {
    tracesUrl: field('otlp', readCollectorUrl),
    sampleRate: field('sampleRate', (n) => n.number(0.01, 0, 1, false)),
    serviceName: field('serviceName', (n) => n.string('switchyard')),
  });
}

function readCollectorUrl(node: Node): string {
  const text = node.string();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
    node.fail("expected the collector's http(s) base URL, e.g. http://collector:4318");
  return `${text.replace(/\/+$/, '')}/v1/traces`;
}
