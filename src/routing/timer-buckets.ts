// Short timers of the hot path (hedge delays, stall checks), grouped by the millisecond they are due in:
// one Node timer per millisecond that has any, however many calls are due in it. A Node timer per call
// costs a Timeout object, a trip into libuv for the time and a list insert and removal; at saturation
// dozens of calls are due in the same millisecond. A cancelled timer clears its slot at once, so a
// bucket never keeps a finished call alive until it fires. The clock is the dispatcher's (Date.now, so
// virtual time in tests moves it); the Node timers are unref'd: an attempt in flight holds a socket that
// keeps the process alive, and a bucket whose timers were all cancelled must not.

export class TimerBuckets<T> {
  /** By due time, counted from `originMs`: small integers hash fast, epoch milliseconds do not. */
  private readonly buckets = new Map<number, (T | undefined)[]>();
  private readonly originMs: number;
  /** The slot in its bucket of the timer `add` armed last; with the due time, what `cancel` takes. */
  lastSlot = 0;

  constructor(
    private readonly onDue: (target: T) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.originMs = now();
  }

  /**
   * Calls `onDue(target)` after `delayMs` (rounded up to whole milliseconds, at least one). Returns the
   * bucket's key (its due time, never 0) and leaves the slot in `lastSlot`: two numbers the target
   * keeps, no handle object.
   */
  add(target: T, delayMs: number): number {
    // At least 1 ms ahead: a bucket already fired can never be taken again for a new timer.
    const wait = Math.max(1, Math.ceil(delayMs));
    const dueMs = Math.max(1, this.now() - this.originMs + wait);
    let bucket = this.buckets.get(dueMs);
    if (!bucket) {
      bucket = [];
      this.buckets.set(dueMs, bucket);
      setTimeout(fireBucket, wait, this, dueMs).unref();
    }
    this.lastSlot = bucket.push(target) - 1;
    return dueMs;
  }

  /** Disarms a timer that `add` armed and that has not fired yet. */
  cancel(dueMs: number, slot: number): void {
    const bucket = this.buckets.get(dueMs);
    if (bucket) bucket[slot] = undefined;
  }

  /** Timers armed and not yet fired or cancelled (for tests and leak checks). */
  get armed(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) for (const t of bucket) if (t !== undefined) n++;
    return n;
  }

  fire(dueMs: number): void {
    const bucket = this.buckets.get(dueMs);
    if (!bucket) return;
    this.buckets.delete(dueMs);
    for (let i = 0; i < bucket.length; i++) {
      const target = bucket[i];
      if (target === undefined) continue;
      try {
        this.onDue(target);
      } catch (err) {
        // One failing target must not cost the others of its millisecond their timers.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

function fireBucket<T>(timers: TimerBuckets<T>, dueMs: number): void {
  timers.fire(dueMs);
}
