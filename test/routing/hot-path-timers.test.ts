// The dispatcher's timers on virtual time: TimerBuckets (hedge and stall timers grouped by the
// millisecond they are due in) and DeadlineQueue (call deadlines in one ordered list, one Node timer).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeadlineLinks, DeadlineQueue } from '../../src/routing/deadline-queue.js';
import { TimerBuckets } from '../../src/routing/timer-buckets.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TimerBuckets', () => {
  it('fires each target once, at its own delay, in arming order within a millisecond', () => {
    const fired: [string, number][] = [];
    const timers = new TimerBuckets<string>((t) => fired.push([t, Date.now() - 1_000_000]));
    timers.add('a', 5);
    timers.add('b', 2);
    timers.add('c', 5);
    timers.add('d', 2.2); // rounded up to 3 ms
    vi.advanceTimersByTime(2);
    expect(fired).toEqual([['b', 2]]);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual([
      ['b', 2],
      ['d', 3],
      ['a', 5],
      ['c', 5],
    ]);
    expect(timers.armed).toBe(0);
  });

  it('shares one Node timer between the targets due in the same millisecond', () => {
    const timers = new TimerBuckets<number>(() => {});
    for (let i = 0; i < 50; i++) timers.add(i, 7);
    timers.add(99, 8);
    expect(vi.getTimerCount()).toBe(2);
    expect(timers.armed).toBe(51);
  });

  it('never fires a cancelled timer and keeps no reference to its target', () => {
    const fired: string[] = [];
    const timers = new TimerBuckets<string>((t) => fired.push(t));
    const due = timers.add('gone', 4);
    const slot = timers.lastSlot;
    timers.add('kept', 4);
    timers.cancel(due, slot);
    expect(timers.armed).toBe(1);
    vi.advanceTimersByTime(4);
    expect(fired).toEqual(['kept']);
    // Cancelling after the bucket fired is harmless: nothing is armed again, nothing fires.
    timers.cancel(due, slot);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['kept']);
    expect(timers.armed).toBe(0);
  });

  it('a zero or negative delay still waits one millisecond (never a bucket that already fired)', () => {
    const fired: string[] = [];
    const timers = new TimerBuckets<string>((t) => fired.push(t));
    timers.add('now', 0);
    timers.add('past', -5);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['now', 'past']);
  });

  it('a target that throws does not cost the others of its millisecond their timers', () => {
    const fired: string[] = [];
    const timers = new TimerBuckets<string>((t) => {
      if (t === 'bad') throw new Error('boom');
      fired.push(t);
    });
    timers.add('bad', 3);
    timers.add('good', 3);
    // The error is rethrown on its own (a microtask), where it surfaces as any uncaught error would.
    const rethrown: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => rethrown.push(fn));
    try {
      vi.advanceTimersByTime(3);
    } finally {
      spy.mockRestore();
    }
    expect(fired).toEqual(['good']);
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]!()).toThrow('boom');
  });

  it('does not keep the process alive: its Node timers are unref-ed', () => {
    vi.useRealTimers();
    const real = new TimerBuckets<string>(() => {});
    const spy = vi.spyOn(globalThis, 'setTimeout');
    real.add('b', 10_000);
    const handle = spy.mock.results[0]!.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(handle.hasRef()).toBe(false);
    clearTimeout(handle);
  });
});

class Call implements DeadlineLinks<Call> {
  prevDeadline: Call | undefined;
  nextDeadline: Call | undefined;
  queued = false;
  constructor(
    readonly name: string,
    readonly deadlineAtMs: number,
  ) {}
}

describe('DeadlineQueue', () => {
  const start = 1_000_000;

  function queueLog() {
    const fired: [string, number][] = [];
    const queue = new DeadlineQueue<Call>((c) => fired.push([c.name, Date.now() - start]));
    return { fired, queue };
  }

  it('fires deadlines in order at their time, however they were added', () => {
    const { fired, queue } = queueLog();
    queue.add(new Call('b', start + 20));
    queue.add(new Call('c', start + 30));
    queue.add(new Call('a', start + 10)); // earlier than the head: the timer moves forward
    queue.add(new Call('b2', start + 20)); // between: after the equal one
    expect(queue.size).toBe(4);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual([['a', 10]]);
    vi.advanceTimersByTime(25);
    expect(fired).toEqual([
      ['a', 10],
      ['b', 20],
      ['b2', 20],
      ['c', 30],
    ]);
    expect(queue.size).toBe(0);
  });

  it('never fires a removed call; the head removed, the next one still fires on time', () => {
    const { fired, queue } = queueLog();
    const a = new Call('a', start + 10);
    const b = new Call('b', start + 15);
    const c = new Call('c', start + 40);
    queue.add(a);
    queue.add(b);
    queue.add(c);
    queue.remove(a);
    queue.remove(c);
    queue.remove(c); // twice is harmless
    expect(queue.size).toBe(1);
    vi.advanceTimersByTime(14);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([['b', 15]]);
    expect(a.nextDeadline).toBeUndefined();
    expect(c.prevDeadline).toBeUndefined();
  });

  it('holds no Node timer while empty: one for the earliest deadline, none once all are removed', () => {
    const { queue } = queueLog();
    expect(vi.getTimerCount()).toBe(0);
    const calls = Array.from({ length: 100 }, (_, i) => new Call(`c${i}`, start + 1000 + i));
    for (const c of calls) queue.add(c);
    expect(vi.getTimerCount()).toBe(1);
    for (const c of calls) queue.remove(c);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires a deadline already past at once', () => {
    const { fired, queue } = queueLog();
    queue.add(new Call('late', start - 5));
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([['late', 0]]);
  });

  it('a call added from inside a deadline callback is queued and fires in its turn', () => {
    const fired: string[] = [];
    const queue: DeadlineQueue<Call> = new DeadlineQueue<Call>((c) => {
      fired.push(c.name);
      if (c.name === 'first') queue.add(new Call('second', Date.now() + 5));
    });
    queue.add(new Call('first', start + 5));
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['first']);
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['first', 'second']);
  });
});
