// What live traffic tells the detector (health/detector.ts): an attempt stalled, failed, or answered
// something implausible. Routing only reports; the detector confirms or clears with probes of its own,
// so a failing region is seen at any traffic level, not only when reads are many.
import type { Upstream } from './upstream.js';

export interface SuspicionSink {
  /**
   * An attempt sent at `sentAtMs` stalled or failed: the upstream (and, where it looks correlated, the
   * other members of its failure domains) is probed at once.
   */
  suspect(upstream: Upstream, reason: string, sentAtMs: number): void;
  /** An answer contradicts the chain (identity, a head far from the chain's): check identity and head now. */
  recheck(upstream: Upstream, reason: string): void;
  /**
   * How long an attempt may go unanswered before its upstream is suspect (and probed): the deadline
   * the detector would give that upstream's probe, learned from its own latency. Usually far shorter
   * than the stall delay, which follows the whole chain's p99 and speaks to the failure domains.
   */
  suspectAfterMs(upstream: Upstream): number;
}

/** Until a detector is wired (tests of the routing core alone): suspicion goes nowhere. */
export const NO_SUSPICION: SuspicionSink = {
  suspect() {},
  recheck() {},
  suspectAfterMs: () => Number.POSITIVE_INFINITY,
};
