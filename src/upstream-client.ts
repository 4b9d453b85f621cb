// HTTP to one upstream: one undici Pool with bounded keep-alive connections and explicit timeouts
// (undici's header and body defaults are 300 s, far too long to notice a hung provider).
import { Pool } from 'undici';
import type { AttemptEnd } from './classify.js';

export interface UpstreamClientOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  maxConnections: number;
  connectTimeoutMs: number;
  /** Upper bound for headers and body; the dispatcher's per-try deadline is usually shorter. */
  ioTimeoutMs: number;
}

/** Why the dispatcher aborted an attempt; carried as the AbortSignal's reason. */
export type AbortReason = 'timeout' | 'cancelled';

export class UpstreamClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(options: UpstreamClientOptions) {
    const url = new URL(options.url);
    this.pool = new Pool(url.origin, {
      connections: options.maxConnections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.ioTimeoutMs,
      bodyTimeout: options.ioTimeoutMs,
    });
    this.path = `${url.pathname}${url.search}`;
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
    if (url.username || url.password) {
      const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
  }

  /**
   * Sends one JSON-RPC body; never throws: transport failures come back as an AttemptEnd. The deadline
   * is either a signal (aborted with an AbortReason) or `timeoutMs` for headers and for the body.
   */
  async send(body: string, signal?: AbortSignal, timeoutMs?: number): Promise<AttemptEnd> {
    try {
      const res = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        ...(signal ? { signal } : {}),
        ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
      });
      const text = await res.body.text();
      return { kind: 'reply', status: res.statusCode, headers: res.headers, body: text };
    } catch (error) {
      const reason = signal?.aborted ? (signal.reason as AbortReason) : undefined;
      return { kind: 'transport', error, timedOut: reason === 'timeout', cancelled: reason === 'cancelled' };
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
