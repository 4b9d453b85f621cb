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
 * `routing.upstreamQueue` attempts in flight (undici's pool queue has no bound of its own). Hedges,
 * retries and primaries alike: a full upstream is passed over for another, and when none has room the
 * call is OVERLOADED.
 */
export function hasRoom(chain: ChainRuntime, u: Upstream): boolean {
  return u.inFlight < u.config.maxConnections + chain.settings.routing.upstreamQueue;
}

/** Whether an upstream not in `skip` (of `restrictTo`, or of the chain) was left out for lack of room. */
export function anyFull(
  chain: ChainRuntime,
  skip: ReadonlySet<Upstream>,
  restrictTo: ReadonlySet<Upstream> | undefined,
): boolean {
  for (const u of chain.upstreams) {
    if (skip.has(u) || (restrictTo && !restrictTo.has(u))) continue;
    if (!hasRoom(chain, u)) return true;
  }
  return false;
}
