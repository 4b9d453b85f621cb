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
 * An upstream takes another attempt while it has fewer than its pool's connections plus
 * `routing.upstreamQueue` attempts in flight (undici's pool queue has no bound of its own), or, past
 * that count, while its queue still moves: its oldest attempt in flight has waited less than
 * `routing.maxQueueWait`. The wait is the measure, not the length (as in CoDel): under a crowd of
 * clients one event-loop turn reads thousands of requests, and a 1 ms upstream drains them in
 * milliseconds, while a few hundred before a hung upstream wait into timeouts. Hedges, retries and
 * primaries alike: a full upstream is passed over for another, and when none has room the call is
 * OVERLOADED. The chain's `routing.maxInFlight` caps it all.
 */
export function hasRoom(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  const { upstreamQueue, maxQueueWaitMs } = chain.settings.routing;
  if (u.inFlight < u.config.maxConnections + upstreamQueue) return true;
  const oldest = u.pending.oldestStartMs();
  return oldest !== undefined && nowMs - oldest < maxQueueWaitMs;
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
