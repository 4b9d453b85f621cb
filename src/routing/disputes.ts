// Disputes: an upstream whose answer lost a verified read's vote (or whose proof or block did not check
// out). Repeated disputes take it out of rotation like a wrong chain, and only a probe puts it back:
// after a minimum time out (doubling on each repeat, so a liar does not flap), the dispute probe
// (health/dispute-probe.ts) replays the read it was disputed on against a quorum of trusted upstreams,
// on an interval that backs off while it still disagrees; an agreeing probe returns it, on probation
// (one more dispute takes it out again) until it agrees in a verified read.

/** Disputes within this window that take an upstream out of rotation. */
const DISTRUST_AFTER = 3;
const WINDOW_MS = 60_000;
/** The minimum time out: no probe before it; doubles on each repeat. */
const FIRST_OUT_MS = 30_000;
const MAX_OUT_MS = 600_000;
/** Probes while it still disagrees: every 10 s at first, backing off to every 5 min. */
const FIRST_PROBE_GAP_MS = 10_000;
const MAX_PROBE_GAP_MS = 300_000;

/** The read a dispute was about, as its participants got it (pinned to one block): the probe replays it. */
export interface DisputedRead {
  method: string;
  params: unknown;
}

export class DisputeBook {
  /** Disputes on record since the upstream was set up. */
  count = 0;
  /** Out of rotation until a probe agrees. */
  distrusted = false;
  /** When the next probe may run (while distrusted). */
  nextProbeAtMs = 0;
  /** The read of the last dispute: what a probe asks. */
  evidence: DisputedRead | undefined;
  private recent: number[] = [];
  /** Times taken out since it last agreed in a verified read: each doubles the minimum time out. */
  private strikes = 0;
  private probeGapMs = FIRST_PROBE_GAP_MS;

  /** Records a dispute at `nowMs`; true when this one takes the upstream out of rotation. */
  record(nowMs: number, read?: DisputedRead): boolean {
    this.count++;
    if (read) this.evidence = read;
    if (this.distrusted) return false;
    this.recent = this.recent.filter((t) => nowMs - t < WINDOW_MS);
    this.recent.push(nowMs);
    // On probation (it came back after a probe and has not agreed in a read since): one is enough.
    if (this.strikes === 0 && this.recent.length < DISTRUST_AFTER) return false;
    this.distrusted = true;
    this.nextProbeAtMs = nowMs + Math.min(MAX_OUT_MS, FIRST_OUT_MS * 2 ** this.strikes);
    this.probeGapMs = FIRST_PROBE_GAP_MS;
    this.strikes++;
    this.recent = [];
    return true;
  }

  /** Its answer agreed with a verified one: the probation is over. */
  agreed(): void {
    this.strikes = 0;
  }

  /** Distrusted, past its minimum time out and the probe interval: a probe may run now. */
  probeDue(nowMs: number): boolean {
    return this.distrusted && nowMs >= this.nextProbeAtMs;
  }

  /**
   * A probe's verdict: agreeing puts the upstream back (true); disagreeing, or no quorum to compare
   * with, waits twice as long for the next one.
   */
  probed(agreed: boolean, nowMs: number): boolean {
    if (!this.distrusted) return false;
    if (agreed) {
      this.distrusted = false;
      return true;
    }
    this.nextProbeAtMs = nowMs + this.probeGapMs;
    this.probeGapMs = Math.min(MAX_PROBE_GAP_MS, this.probeGapMs * 2);
    return false;
  }
}

/** One disputed read, as /status shows it: who answered what (by digest, never a value or a URL). */
export interface DisputeRecord {
  at: string;
  method: string;
  /** The digest the quorum agreed on; null when none reached it. */
  agreed: string | null;
  answers: readonly { upstream: string; digest: string }[];
}

const KEEP_DISPUTES = 10;

/** The chain's last disputes, newest first, bounded. */
export function noteDispute(list: DisputeRecord[], record: DisputeRecord): void {
  list.unshift(record);
  if (list.length > KEEP_DISPUTES) list.length = KEEP_DISPUTES;
}
