// The load driver: closed-loop virtual clients (each waits for its answer, thinks, sends again) or an
// open loop at a fixed rate, over one undici Pool. Every run is bounded by a request count AND a
// duration, and every request by a client timeout. Each request is recorded in typed arrays: start
// time, latency (µs), outcome, the upstream that answered (from a response header) and staleness.
import { Pool } from 'undici';
import { MIX_METHODS, type RequestMix, readMix } from './mix.js';
import { sleep } from './stats.js';

/** Outcome codes; anything but OK is a failed request. */
export const OUTCOME = {
  ok: 0,
  /** HTTP 200 with a JSON-RPC error object (or no result). */
  rpcError: 1,
  /** HTTP status other than 2xx. */
  httpError: 2,
  /** Connection refused/reset, body not JSON, ... */
  transport: 3,
  /** No complete answer within the client timeout. */
  timeout: 4,
} as const;
export const OUTCOME_NAMES = ['ok', 'rpc_error', 'http_error', 'transport', 'timeout'] as const;

export class Recording {
  n = 0;
  readonly startMs: Float64Array;
  readonly latencyUs: Float64Array;
  readonly outcome: Uint8Array;
  readonly method: Uint8Array;
  /** Index into upstreamNames; -1 when the answer named no known upstream. */
  readonly upstream: Int16Array;
  /** 1 when a head-bearing answer was more than the allowed number of blocks behind the chain. */
  readonly stale: Uint8Array;
  readonly upstreamNames: string[] = [];
  private readonly upstreamIndex = new Map<string, number>();
  /** Requests the open loop could not send because maxInFlight was reached. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.startMs = new Float64Array(capacity);
    this.latencyUs = new Float64Array(capacity);
    this.outcome = new Uint8Array(capacity);
    this.method = new Uint8Array(capacity);
    this.upstream = new Int16Array(capacity);
    this.stale = new Uint8Array(capacity);
  }

  upstreamId(name: string | undefined): number {
    if (name === undefined) return -1;
    let id = this.upstreamIndex.get(name);
    if (id === undefined) {
      id = this.upstreamNames.length;
      this.upstreamNames.push(name);
      this.upstreamIndex.set(name, id);
    }
    return id;
  }

  /** Reserves a slot; returns -1 when full. */
  add(startMs: number, method: number): number {
    if (this.n >= this.capacity) return -1;
    const i = this.n++;
    this.startMs[i] = startMs;
    this.method[i] = method;
    this.upstream[i] = -1;
    this.outcome[i] = OUTCOME.timeout;
    this.latencyUs[i] = Number.NaN;
    return i;
  }

  /** Indices of requests whose start time lies in [fromMs, toMs). */
  indicesBetween(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const t = this.startMs[i]!;
      if (t >= fromMs && t < toMs) out.push(i);
    }
    return out;
  }
}

export interface LoadSpec {
  /** Full URL of the JSON-RPC endpoint. */
  url: string;
  mix: RequestMix;
  /** Closed loop: number of virtual clients. */
  clients?: number | undefined;
  /** Closed loop: pause after each answer before the client's next request. */
  thinkMs?: number | undefined;
  /** Open loop: requests per second (used when set). */
  ratePerSec?: number | undefined;
  /** Open loop: cap of requests in flight; a send over it is dropped and counted. */
  maxInFlight?: number | undefined;
  maxRequests: number;
  durationMs: number;
  /** Client timeout of one request. */
  timeoutMs: number;
  /** Name of the upstream that answered, from the response headers. */
  upstreamOf?: ((headers: Record<string, string | string[] | undefined>) => string | undefined) | undefined;
  /** Current chain head: head-bearing answers more than staleAfterBlocks behind it count as stale. */
  headAt?: (() => number | undefined) | undefined;
  staleAfterBlocks?: number | undefined;
  /** Recording to append to (several runs may share one timeline); a new one otherwise. */
  recording?: Recording | undefined;
}

export interface LoadRun {
  recording: Recording;
  /** Requests sent so far (for progress). */
  readonly sent: number;
  readonly done: Promise<Recording>;
  /** Stops sending early; requests in flight still finish (or time out). */
  stop(): void;
}

function parseHead(method: number, value: unknown): number | undefined {
  if (MIX_METHODS[method] === 'eth_blockNumber' && typeof value === 'string')
    return Number.parseInt(value, 16);
  if (MIX_METHODS[method] === 'eth_getBlockByNumber' && typeof value === 'object' && value !== null) {
    const n = (value as { number?: unknown }).number;
    if (typeof n === 'string') return Number.parseInt(n, 16);
  }
  return undefined;
}

export function startLoad(spec: LoadSpec): LoadRun {
  const url = new URL(spec.url);
  const open = spec.ratePerSec !== undefined;
  const concurrency = open ? (spec.maxInFlight ?? 256) : (spec.clients ?? 1);
  const pool = new Pool(url.origin, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: spec.timeoutMs },
    headersTimeout: spec.timeoutMs,
    bodyTimeout: spec.timeoutMs,
  });
  const rec = spec.recording ?? new Recording(spec.maxRequests);
  const path = `${url.pathname}${url.search}`;
  const headers = { 'content-type': 'application/json' };
  const t0 = performance.now();
  let sent = 0;
  let inFlight = 0;
  let stopped = false;
  const timeUp = () => stopped || sent >= spec.maxRequests || performance.now() - t0 >= spec.durationMs;

  const one = async (): Promise<void> => {
    const { body, method } = spec.mix.next();
    const head = spec.headAt?.();
    const startPerf = performance.now();
    const i = rec.add(performance.timeOrigin + startPerf, method);
    sent++;
    inFlight++;
    let outcome: number = OUTCOME.transport;
    let upstream: string | undefined;
    let stale = 0;
    const signal = AbortSignal.timeout(spec.timeoutMs);
    try {
      const res = await pool.request({ path, method: 'POST', headers, body, signal });
      const text = await res.body.text();
      upstream = spec.upstreamOf?.(res.headers);
      if (res.statusCode < 200 || res.statusCode > 299) outcome = OUTCOME.httpError;
      else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined) outcome = OUTCOME.transport;
        else if (
          typeof parsed === 'object' &&
          parsed !== null &&
          'result' in parsed &&
          !('error' in parsed)
        ) {
          outcome = OUTCOME.ok;
          if (head !== undefined) {
            const answered = parseHead(method, (parsed as { result: unknown }).result);
            if (answered !== undefined && head - answered > (spec.staleAfterBlocks ?? 5)) stale = 1;
          }
        } else outcome = OUTCOME.rpcError;
      }
    } catch (err) {
      const name = (err as { name?: string; code?: string }).name;
      const code = (err as { code?: string }).code;
      outcome =
        signal.aborted || name === 'TimeoutError' || code?.includes('TIMEOUT')
          ? OUTCOME.timeout
          : OUTCOME.transport;
    }
    inFlight--;
    if (i < 0) return;
    rec.latencyUs[i] = (performance.now() - startPerf) * 1000;
    rec.outcome[i] = outcome;
    rec.upstream[i] = rec.upstreamId(upstream);
    rec.stale[i] = stale;
  };

  let done: Promise<Recording>;
  if (!open) {
    const client = async () => {
      while (!timeUp()) {
        await one();
        if (spec.thinkMs && !timeUp()) await sleep(spec.thinkMs);
      }
    };
    done = Promise.all(Array.from({ length: concurrency }, client)).then(() => rec);
  } else {
    const rate = spec.ratePerSec!;
    done = (async () => {
      const inflight = new Set<Promise<void>>();
      let scheduled = 0;
      while (!timeUp()) {
        const due = Math.floor(((performance.now() - t0) * rate) / 1000) + 1;
        while (scheduled < due && !timeUp()) {
          scheduled++;
          if (inFlight >= concurrency) {
            rec.dropped++;
            continue;
          }
          const p = one();
          inflight.add(p);
          void p.then(() => inflight.delete(p));
        }
        const nextAt = t0 + (scheduled * 1000) / rate;
        await sleep(Math.max(0, nextAt - performance.now()));
      }
      await Promise.all(inflight);
      return rec;
    })();
  }
  const finished = done.finally(() => pool.destroy().catch(() => {}));
  return {
    recording: rec,
    get sent() {
      return sent;
    },
    done: finished,
    stop() {
      stopped = true;
    },
  };
}

/** Bound of a closed loop: with the benches' clients and think time it can never exceed 4000 req/s. */
const MAX_CLOSED_LOOP_RATE = 4000;

/** The benches' closed-loop read load (the read mix, seed 1), bounded in count and duration. */
export function closedLoopReads(opts: {
  url: string;
  clients: number;
  thinkMs: number;
  durationMs: number;
  timeoutMs: number;
  upstreamOf?: LoadSpec['upstreamOf'];
}): LoadSpec {
  return {
    ...opts,
    mix: readMix(1),
    maxRequests: Math.ceil((opts.durationMs / 1000) * MAX_CLOSED_LOOP_RATE),
  };
}
