// Admission control: how much work Switchyard takes on before it says "not now". Past a bound a call is
// answered at once (OVERLOADED, HTTP 503 with Retry-After) instead of queueing into timeouts: a queue
// that outgrows what the upstreams can answer within the deadline only turns fast refusals into slow
// failures, and in an outage it buries the surviving upstreams under retries. Pure: no I/O, no clock.
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';

/** Seconds a client is asked to wait after OVERLOADED (the Retry-After header). */
export const OVERLOADED_RETRY_AFTER_S = 1;

/** Calls of one chain in flight (each batch element counts), bounded by `routing.maxInFlight`. */
export class CallAdmission {
  private active = 0;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Takes a place for one call; false when the chain already carries `limit` calls. */
  enter(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  leave(): void {
    if (this.active > 0) this.active--;
  }
}

/**
 * Attempts that may wait for one of an upstream's connections (undici's pool queue has no bound of its
 * own): `routing.upstreamQueue`, or as many as its connections answer within `routing.maxQueueWait` at
 * its expected latency, whichever is more. A count alone is wrong both ways: a 1 ms upstream drains a
 * queue of thousands (one event-loop turn can read that many requests) in milliseconds, while a queue
 * of a hundred before a 100 ms upstream waits seconds. A hung upstream's expected latency grows with
 * its oldest attempt, so its queue shrinks to the count.
 */
export function queueBound(chain: ChainRuntime, u: Upstream, nowMs: number): number {
  const { upstreamQueue, maxQueueWaitMs } = chain.settings.routing;
  const drainable = (u.config.maxConnections * maxQueueWaitMs) / Math.max(1, u.expectedLatencyMs(nowMs));
  return Math.max(upstreamQueue, Math.floor(drainable));
}

/**
 * An upstream takes another attempt while it has fewer than its pool's connections plus its queue
 * bound in flight. Hedges, retries and primaries alike: a full upstream is passed over for another,
 * and when none has room the call is OVERLOADED.
 */
export function hasRoom(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  const connections = u.config.maxConnections;
  // The common case, decided without the latency estimate.
  if (u.inFlight < connections + chain.settings.routing.upstreamQueue) return true;
  return u.inFlight < connections + queueBound(chain, u, nowMs);
}

/** Whether an upstream not in `skip` (of `restrictTo`, or of the chain) was left out for lack of room. */
export function anyFull(
  chain: ChainRuntime,
  skip: ReadonlySet<Upstream>,
  restrictTo: ReadonlySet<Upstream> | undefined,
  nowMs: number,
): boolean {
  for (const u of chain.upstreams) {
    if (skip.has(u) || (restrictTo && !restrictTo.has(u))) continue;
    if (!hasRoom(chain, u, nowMs)) return true;
  }
  return false;
}
