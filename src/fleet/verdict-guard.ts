// The rules that keep one instance's bad view from locking a healthy domain out for the whole fleet.
// Pure (time passed in); fleet-verdicts.ts applies them.
//
// 1. Bounded: a remote verdict only forces a breaker open for its own back-off (a domain) or reset
//    timeout (an upstream); then this instance's own probe decides whether it closes.
// 2. Local evidence wins: when a breaker that a remote verdict opened closes here on this instance's
//    first probe, as soon as its forced time ran out (it never tripped here in between), the verdict
//    was wrong for us; further remote verdicts on that breaker are declined for IMMUNITY_MS, while
//    local detection still works. A probe that hung through the outage and succeeded after it is no
//    such evidence: it closes the breaker later than that.
// 3. No vouching from the dark: an instance publishes an opening only while it can still reach some
//    upstream of the chain outside what opened. An instance cut off from everything (its own network
//    partitioned) trips every domain at once and tells nobody.

/** How long remote verdicts on a breaker are declined after local evidence contradicted one. */
export const IMMUNITY_MS = 10_000;
/** A first probe that answers within this long of its breaker's forced time ending is prompt evidence. */
export const PROMPT_PROBE_MS = 250;

export class VerdictGuard {
  /** Breakers (by scope key) a remote verdict opened and that have not tripped here since: until when forced. */
  private readonly forced = new Map<string, number>();
  private readonly immuneUntilMs = new Map<string, number>();

  /** Whether a remote verdict on `scope` may be applied now. */
  accepts(scope: string, nowMs: number): boolean {
    const until = this.immuneUntilMs.get(scope);
    if (until === undefined) return true;
    if (nowMs < until) return false;
    this.immuneUntilMs.delete(scope);
    return true;
  }

  /** A remote verdict was applied: the breaker is open on someone else's word for `openForMs`. */
  appliedRemote(scope: string, nowMs: number, openForMs: number): void {
    this.forced.set(scope, nowMs + openForMs);
  }

  /** A breaker changed state here on local evidence. */
  localTransition(scope: string, to: 'closed' | 'open' | 'half_open', nowMs: number): void {
    const forcedUntil = this.forced.get(scope);
    if (forcedUntil === undefined || to === 'half_open') return;
    this.forced.delete(scope);
    if (to === 'closed' && nowMs <= forcedUntil + PROMPT_PROBE_MS)
      this.immuneUntilMs.set(scope, nowMs + IMMUNITY_MS);
  }
}

/** Another upstream of the chain, outside what opened, as this instance sees it. */
export interface Witness {
  usable: boolean;
  healthUp: boolean;
}

/** Rule 3: publish an opening only while some other upstream is usable and passes its health checks. */
export function mayPublish(others: readonly Witness[]): boolean {
  return others.some((w) => w.usable && w.healthUp);
}
