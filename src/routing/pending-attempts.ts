// The attempts an upstream has in flight, oldest first. Their count is the load in the balancer's cost;
// the age of the oldest is a lower bound on the upstream's latency right now: a request that has waited
// 40 ms says "at least 40 ms" before any answer arrives, so a hang shows in the cost within
// milliseconds instead of when the first timeout finally settles. Pure: time is passed in.

export interface PendingAttempt {
  readonly startMs: number;
  settled: boolean;
}

/** Settled entries are dropped from the front lazily; the array is compacted once most of it is dead. */
const COMPACT_AT = 1024;

export class PendingAttempts {
  private queue: PendingAttempt[] = [];
  private head = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  begin(nowMs: number): PendingAttempt {
    const entry: PendingAttempt = { startMs: nowMs, settled: false };
    this.queue.push(entry);
    this.live++;
    return entry;
  }

  end(entry: PendingAttempt): void {
    if (entry.settled) return;
    entry.settled = true;
    this.live--;
    this.dropSettledFront();
  }

  /** Start time of the oldest attempt still in flight, or undefined when none is. */
  oldestStartMs(): number | undefined {
    return this.live === 0 ? undefined : this.queue[this.head]!.startMs;
  }

  private dropSettledFront(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.settled) this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
