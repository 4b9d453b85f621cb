// An OTLP/HTTP JSON receiver for the tracing tests (the CLI's and the library's): it collects the spans
// a collector at `<url>/v1/traces` would get, with their attributes flattened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from './ops.js';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  service: unknown;
}

/** An OTLP/HTTP JSON receiver: what a collector at `<url>/v1/traces` would get. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly paths: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        this.paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        this.collect(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private collect(doc: {
    resourceSpans: {
      resource: { attributes: Attr[] };
      scopeSpans: { spans: (Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes: Attr[] })[] }[];
    }[];
  }): void {
    for (const rs of doc.resourceSpans) {
      const service = attrs(rs.resource.attributes)['service.name'];
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans)
          this.spans.push({
            ...s,
            parentSpanId: s.parentSpanId || undefined,
            attributes: attrs(s.attributes),
            service,
          });
    }
  }

  /** Waits (bounded) until `count` spans of the trace arrived. */
  async trace(traceId: string, count: number, timeoutMs = 8000): Promise<ReceivedSpan[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const spans = this.spans.filter((s) => s.traceId === traceId);
      if (spans.length >= count || Date.now() > until) return spans;
      await sleep(50);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

type Attr = { key: string; value: Record<string, unknown> };

function attrs(list: Attr[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) out[key] = plain(value);
  return out;
}

function plain(value: Record<string, unknown>): unknown {
  if ('arrayValue' in value)
    return ((value.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(plain);
  if ('intValue' in value) return Number(value.intValue);
  return Object.values(value)[0];
}
