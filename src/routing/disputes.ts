// Disputes: an upstream whose answer lost a verified read's vote (or whose proof or block did not check
// out). Repeated disputes take it out of rotation like a wrong chain for a while; after that it is on
// probation, and the next verified read it takes part in decides (agreeing ends the backoff).

/** Disputes within this window that take an upstream out of rotation. */
const DISTRUST_AFTER = 3;
const WINDOW_MS = 60_000;
const FIRST_OUT_MS = 30_000;
const MAX_OUT_MS = 600_000;

export class DisputeBook {
  /** Disputes on record since the upstream was set up. */
  count = 0;
  /** Out of rotation until then (0: in rotation). */
  distrustedUntilMs = 0;
  private recent: number[] = [];
  /** Times taken out since it last agreed: each doubles the time out. */
  private strikes = 0;

  /** Records a dispute at `nowMs`; true when this one takes the upstream out of rotation. */
  record(nowMs: number): boolean {
    this.count++;
    this.recent = this.recent.filter((t) => nowMs - t < WINDOW_MS);
    this.recent.push(nowMs);
    // On probation (it was out before and has not agreed since): one more dispute is enough.
    const onProbation = this.strikes > 0 && this.distrustedUntilMs <= nowMs;
    if (!onProbation && this.recent.length < DISTRUST_AFTER) return false;
    this.distrustedUntilMs = nowMs + Math.min(MAX_OUT_MS, FIRST_OUT_MS * 2 ** this.strikes);
    this.strikes++;
    this.recent = [];
    return true;
  }

  /** Its answer agreed with a verified one: the probation is over. */
  agreed(): void {
    this.strikes = 0;
  }

  distrustedAt(nowMs: number): boolean {
    return this.distrustedUntilMs > nowMs;
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
