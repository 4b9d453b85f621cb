// Whether an upstream has room for another attempt: the per-upstream half of admission control
// (src/routing/admission.ts bounds the calls of a chain). Pure: time is passed in.
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';

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
