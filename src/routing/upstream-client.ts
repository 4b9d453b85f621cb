// HTTP to one upstream: one undici Pool with bounded keep-alive connections and explicit timeouts
// (undici's header and body defaults are 300 s, far too long to notice a hung provider).
import { type Dispatcher, Pool } from 'undici';
import type { AttemptEnd } from '../rpc/outcome.js';

export interface UpstreamClientOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  maxConnections: number;
  connectTimeoutMs: number;
  /** Upper bound for headers and body; the dispatcher's per-try deadline is usually shorter. */
  ioTimeoutMs: number;
}

/** Why the dispatcher aborted an attempt; carried as the AbortSignal's reason. */
type AbortReason = 'timeout' | 'cancelled';

/**
 * Hears how one request ended. The dispatcher's attempts implement it themselves: no promise, resolve
 * closure and async frame per attempt on the hot path.
 */
export interface AttemptReceiver {
  onAttemptEnd(end: AttemptEnd): void;
}

/** A request in flight that its sender may give up on. */
export interface CancellableRequest {
  /** Ends the request now (its connection is closed if it was sent); the receiver hears 'cancelled'. */
  cancel(): void;
}

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
  send(body: string | Buffer, signal?: AbortSignal, timeoutMs?: number): Promise<AttemptEnd> {
    return new Promise<AttemptEnd>((resolve) => {
      this.sendTo({ onAttemptEnd: resolve }, body, timeoutMs, signal);
    });
  }

  /** `send` for the hot path: the end is handed to `receiver` (exactly once, never synchronously). */
  sendTo(
    receiver: AttemptReceiver,
    body: string | Buffer,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): CancellableRequest {
    const handler = new ReplyCollector(receiver, signal);
    const options: Dispatcher.DispatchOptions = {
      path: this.path,
      method: 'POST',
      headers: this.headers,
      body,
    };
    if (timeoutMs) {
      options.headersTimeout = timeoutMs;
      options.bodyTimeout = timeoutMs;
    }
    this.pool.dispatch(options, handler);
    return handler;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * Collects one reply straight off undici's dispatch interface. `pool.request()` wraps every reply in a
 * Readable stream, an AsyncResource and a promise chain: about a tenth of the proxy's CPU at saturation
 * for a body that is read whole anyway.
 */
class ReplyCollector implements Dispatcher.DispatchHandler, CancellableRequest {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private settled = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly receiver: AttemptReceiver,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (!signal) return;
    this.onAbort = () => this.abort(signal.reason as AbortReason);
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  cancel(): void {
    this.abort('cancelled');
  }

  private abort(reason: AbortReason): void {
    if (this.settled) return;
    const error = Object.assign(new Error('request aborted'), {
      name: 'AbortError',
      code: 'UND_ERR_ABORTED',
    });
    // Settled first: aborting the controller reports an error of its own, which must not win.
    this.settle({
      kind: 'transport',
      error,
      timedOut: reason === 'timeout',
      cancelled: reason === 'cancelled',
    });
    this.controller?.abort(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while queued for a connection: the request must not leave at all.
    if (this.settled) controller.abort(new Error('request aborted'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.chunks;
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.settle({ kind: 'reply', status: this.status, headers: this.headers, body: text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle({ kind: 'transport', error, timedOut: false, cancelled: false });
  }

  private settle(end: AttemptEnd): void {
    if (this.settled) return;
    this.settled = true;
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    deliverSoon(this.receiver, end);
  }
}

// Ends are handed on in a microtask, as a promise would: a receiver may dispatch again (a retry), and
// whatever it does must not run, or throw, inside undici's parser callback. One microtask per batch.
let receivers: AttemptReceiver[] = [];
let ends: AttemptEnd[] = [];

function deliverSoon(receiver: AttemptReceiver, end: AttemptEnd): void {
  receivers.push(receiver);
  ends.push(end);
  if (receivers.length === 1) queueMicrotask(deliverAll);
}

function deliverAll(): void {
  const batch = receivers;
  const batchEnds = ends;
  receivers = [];
  ends = [];
  for (let i = 0; i < batch.length; i++) {
    try {
      batch[i]!.onAttemptEnd(batchEnds[i]!);
    } catch (err) {
      // A bug in a receiver must not cost the others their answers; it still surfaces as one.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
