// Call deadlines in one ordered list with a single Node timer for the earliest. Every call has one, set
// to the request's deadline: they arrive almost in order (now + the request timeout), so adding is a
// link at the tail and removing an unlink, with no Timeout object per call and no timer work at all
// while the earliest deadline is still ahead. The list links live in the calls themselves.

export interface DeadlineLinks<T> {
  readonly deadlineAtMs: number;
  prevDeadline: T | undefined;
  nextDeadline: T | undefined;
  queued: boolean;
}

export class DeadlineQueue<T extends DeadlineLinks<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is set for. */
  private armedForMs = 0;
  private count = 0;

  constructor(
    private readonly onDeadline: (target: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.count;
  }

  add(target: T): void {
    // From the tail back past any later deadline: one step when they come in order.
    let after = this.tail;
    while (after && after.deadlineAtMs > target.deadlineAtMs) after = after.prevDeadline;
    target.prevDeadline = after;
    target.nextDeadline = after ? after.nextDeadline : this.head;
    if (target.nextDeadline) target.nextDeadline.prevDeadline = target;
    else this.tail = target;
    if (after) after.nextDeadline = target;
    else this.head = target;
    target.queued = true;
    this.count++;
    if (this.timer === undefined || target.deadlineAtMs < this.armedForMs) this.arm();
  }

  remove(target: T): void {
    if (!target.queued) return;
    target.queued = false;
    const { prevDeadline: prev, nextDeadline: next } = target;
    if (prev) prev.nextDeadline = next;
    else this.head = next;
    if (next) next.prevDeadline = prev;
    else this.tail = prev;
    target.prevDeadline = undefined;
    target.nextDeadline = undefined;
    this.count--;
    // An earlier head gone: the timer may fire early and re-arm. Nothing left: no timer at all.
    if (this.count === 0) this.disarm();
  }

  /** Fires every deadline that is due (also those the timer was set for, whatever the clock says). */
  expire(): void {
    this.timer = undefined;
    const dueMs = Math.max(this.armedForMs, this.now());
    for (let t = this.head; t && t.deadlineAtMs <= dueMs; t = this.head) {
      this.remove(t);
      try {
        this.onDeadline(t);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (this.head && this.timer === undefined) this.arm();
  }

  private arm(): void {
    this.disarm();
    const head = this.head!;
    this.armedForMs = head.deadlineAtMs;
    this.timer = setTimeout(expireQueue, Math.max(0, head.deadlineAtMs - this.now()), this);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function expireQueue<T extends DeadlineLinks<T>>(queue: DeadlineQueue<T>): void {
  queue.expire();
}
