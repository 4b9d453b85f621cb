// The failure-domain breaker on virtual time: when it trips, how long it stays open, how the single
// half-open probe decides, and what listeners see.
import { describe, expect, it, vi } from 'vitest';
import {
  type BreakerState,
  DomainBreaker,
  type DomainBreakerOptions,
} from '../../src/routing/domain-breaker.js';

const ALMOST_ONE = 1 - 1e-12;

function breaker(
  overrides: Partial<DomainBreakerOptions> = {},
  members: string[] = ['a', 'b', 'c'],
  listener?: (key: string, from: BreakerState, to: BreakerState, nowMs: number) => void,
): DomainBreaker {
  const options: DomainBreakerOptions = {
    minFailingUpstreams: 2,
    windowMs: 1000,
    backoffMs: 300,
    maxBackoffMs: 800,
    random: () => 0,
    ...overrides,
  };
  return new DomainBreaker('aws/us-east-1', members, options, listener);
}

function fail(b: DomainBreaker, member: string, nowMs: number, times = 1): void {
  for (let i = 0; i < times; i++) b.record(member, true, nowMs);
}

function succeed(b: DomainBreaker, member: string, nowMs: number, times = 1): void {
  for (let i = 0; i < times; i++) b.record(member, false, nowMs);
}

/** Trips a fresh 3-member breaker at `nowMs` with two failures on each of a and b. */
function trip(b: DomainBreaker, nowMs: number): void {
  fail(b, 'a', nowMs, 2);
  fail(b, 'b', nowMs, 2);
  expect(b.stateAt(nowMs)).toBe('open');
}

/** The first time in [fromMs, fromMs + 5000) at which the breaker is no longer open. */
function openDuration(b: DomainBreaker, fromMs: number): number {
  for (let t = fromMs; t < fromMs + 5000; t++) if (b.stateAt(t) !== 'open') return t - fromMs;
  throw new Error('still open after 5 s');
}

describe('tripping', () => {
  it('starts closed and admits traffic', () => {
    const b = breaker();
    expect(b.stateAt(0)).toBe('closed');
    expect(b.admits(0)).toBe(true);
    expect(b.opens).toBe(0);
    expect(b.openedAtMs).toBeUndefined();
  });

  it('stays closed when only one member fails, however often', () => {
    const b = breaker();
    fail(b, 'a', 10, 16);
    expect(b.failingMembers(10)).toBe(1);
    expect(b.stateAt(10)).toBe('closed');
    expect(b.admits(10)).toBe(true);
  });

  it('opens on the failure that makes a second distinct member failing', () => {
    const b = breaker();
    fail(b, 'a', 100, 2);
    fail(b, 'b', 110);
    expect(b.stateAt(110)).toBe('closed');
    expect(b.failingMembers(110)).toBe(1);
    fail(b, 'b', 120);
    expect(b.stateAt(120)).toBe('open');
    expect(b.admits(120)).toBe(false);
    expect(b.opens).toBe(1);
    expect(b.openedAtMs).toBe(120);
  });

  it('needs at least two failures per member', () => {
    const b = breaker();
    fail(b, 'a', 0);
    fail(b, 'b', 0);
    fail(b, 'c', 0);
    expect(b.failingMembers(0)).toBe(0);
    expect(b.stateAt(0)).toBe('closed');
  });

  it('needs failures to be at least half of the member outcomes in the window', () => {
    const b = breaker();
    // Failures never two in a row here, so only the share can make a failing.
    for (const failed of [false, false, true, false, true, false]) b.record('a', failed, 0); // 2 of 6
    fail(b, 'b', 0, 2);
    expect(b.failingMembers(0)).toBe(1);
    fail(b, 'a', 0); // 3 of 7
    succeed(b, 'a', 0); // 3 of 8
    expect(b.stateAt(0)).toBe('closed');
    fail(b, 'a', 0); // the first success falls out: 4 of 8, exactly half
    expect(b.stateAt(0)).toBe('open');
  });

  it('counts a member whose latest two outcomes failed in a row, whatever came before', () => {
    const b = breaker();
    succeed(b, 'a', 0, 6);
    succeed(b, 'b', 0, 6);
    fail(b, 'a', 1, 2); // 2 of 8, but the latest two
    expect(b.failingMembers(1)).toBe(1);
    fail(b, 'b', 1);
    expect(b.stateAt(1)).toBe('closed'); // b: one failure in a row is not news yet
    fail(b, 'b', 2);
    expect(b.stateAt(2)).toBe('open');
  });

  it('does not count outcomes older than the window', () => {
    const b = breaker({ windowMs: 1000 });
    fail(b, 'a', 0, 2);
    fail(b, 'b', 1001, 2);
    expect(b.failingMembers(1001)).toBe(1);
    expect(b.stateAt(1001)).toBe('closed');
  });

  it('counts outcomes exactly at the window edge', () => {
    const b = breaker({ windowMs: 1000 });
    fail(b, 'a', 0, 2);
    fail(b, 'b', 1000, 2);
    expect(b.stateAt(1000)).toBe('open');
  });

  it('lets old successes fall out of the window, so recent failures dominate', () => {
    const b = breaker({ windowMs: 1000 });
    succeed(b, 'a', 0, 10);
    fail(b, 'b', 2000, 2);
    fail(b, 'a', 2000, 2);
    expect(b.stateAt(2000)).toBe('open');
  });

  it('keeps only the last 8 outcomes of a member', () => {
    const alternating = (x: DomainBreaker, n: number) => {
      for (let i = 0; i < n; i++) x.record('a', i % 2 === 0, 0); // f, s, f, s, ...: never two in a row
    };
    const b = breaker();
    succeed(b, 'a', 0, 10);
    alternating(b, 7); // 17 outcomes: the last 8 are 4 successes and 4 failures
    expect(b.failingMembers(0)).toBe(1);
    const c = breaker();
    succeed(c, 'a', 0, 10);
    alternating(c, 5); // last 8: 5 successes, 3 failures
    expect(c.failingMembers(0)).toBe(0);
  });

  it('decides only on a failure, even when members have become failing as old successes aged out', () => {
    const b = breaker({ windowMs: 1000 });
    succeed(b, 'a', 0, 10);
    fail(b, 'a', 900);
    succeed(b, 'a', 900);
    fail(b, 'a', 900); // last 8: 2 failures, not in a row: not failing
    fail(b, 'b', 1000, 2); // b failing; a still 2 of 12 at 1000
    expect(b.stateAt(1000)).toBe('closed');
    // at 1001 the successes of a left the window: two members are failing now
    expect(b.failingMembers(1001)).toBe(2);
    succeed(b, 'c', 1001);
    expect(b.stateAt(1001)).toBe('closed');
    fail(b, 'c', 1002);
    expect(b.stateAt(1002)).toBe('open');
  });

  it("never opens a one-member domain: that upstream's own breaker decides", () => {
    const b = breaker({ minFailingUpstreams: 1 }, ['only']);
    for (let i = 0; i < 10; i++) fail(b, 'only', i);
    expect(b.stateAt(10)).toBe('closed');
    expect(b.opens).toBe(0);
  });

  it('caps a minimum above the member count at the member count', () => {
    const b = breaker({ minFailingUpstreams: 5 }, ['a', 'b']);
    fail(b, 'a', 0, 2);
    expect(b.stateAt(0)).toBe('closed');
    fail(b, 'b', 0, 2);
    expect(b.stateAt(0)).toBe('open');
  });

  it('honours a higher minimum', () => {
    const b = breaker({ minFailingUpstreams: 3 });
    fail(b, 'a', 0, 2);
    fail(b, 'b', 0, 2);
    expect(b.stateAt(0)).toBe('closed');
    fail(b, 'c', 0, 2);
    expect(b.stateAt(0)).toBe('open');
  });
});

describe('back-off', () => {
  it('goes half-open exactly after 0.75 × backoff with random = 0', () => {
    const b = breaker({ backoffMs: 300, random: () => 0 });
    trip(b, 1000);
    expect(b.stateAt(1224)).toBe('open');
    expect(b.admits(1224)).toBe(false);
    expect(b.stateAt(1225)).toBe('half_open');
  });

  it('goes half-open just before 1.25 × backoff with random ≈ 1', () => {
    const b = breaker({ backoffMs: 300, random: () => ALMOST_ONE });
    trip(b, 1000);
    expect(b.stateAt(1374)).toBe('open');
    expect(b.stateAt(1375)).toBe('half_open');
  });

  it('never waits longer than maxBackoffMs, even with jitter', () => {
    const b = breaker({ backoffMs: 300, maxBackoffMs: 320, random: () => ALMOST_ONE });
    trip(b, 0);
    expect(b.stateAt(319)).toBe('open');
    expect(b.stateAt(320)).toBe('half_open');
  });

  it('uses the injected random for every trip', () => {
    const random = vi.fn(() => 0.5);
    const b = breaker({ random });
    trip(b, 0);
    expect(random).toHaveBeenCalledTimes(1);
    expect(openDuration(b, 0)).toBe(300);
  });

  it('doubles the back-off after each failed probe, up to the cap', () => {
    const b = breaker({ backoffMs: 300, maxBackoffMs: 800, random: () => 0 });
    trip(b, 0);
    let t = 0;
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = openDuration(b, t);
      durations.push(d);
      t += d;
      expect(b.admits(t)).toBe(true);
      b.onSend(t);
      b.record('a', true, t);
      expect(b.stateAt(t)).toBe('open');
    }
    // 300 → 600 → 800 (cap) → 800, each × 0.75
    expect(durations).toEqual([225, 450, 600, 600]);
    expect(b.opens).toBe(5);
  });

  it('caps the jittered back-off of failed probes at maxBackoffMs', () => {
    const b = breaker({ backoffMs: 300, maxBackoffMs: 800, random: () => ALMOST_ONE });
    trip(b, 0);
    let t = 0;
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = openDuration(b, t);
      durations.push(d);
      t += d;
      b.onSend(t);
      b.record('a', true, t);
    }
    // 375, 750, then 1000 capped to 800
    expect(durations).toEqual([375, 750, 800]);
  });

  it('resets the back-off once the domain closes', () => {
    const b = breaker({ random: () => 0 });
    trip(b, 0);
    b.onSend(225);
    b.record('a', true, 225); // re-open: 450
    expect(openDuration(b, 225)).toBe(450);
    b.onSend(675);
    b.record('a', false, 675);
    expect(b.stateAt(675)).toBe('closed');
    trip(b, 5000);
    expect(openDuration(b, 5000)).toBe(225);
  });
});

describe('half-open probe', () => {
  function halfOpen(): { b: DomainBreaker; t: number } {
    const b = breaker({ random: () => 0 });
    trip(b, 100);
    const t = 325;
    expect(b.stateAt(t)).toBe('half_open');
    return { b, t };
  }

  it('admits exactly one probe', () => {
    const { b, t } = halfOpen();
    expect(b.admits(t)).toBe(true);
    expect(b.admits(t)).toBe(true); // asking does not take the slot
    b.onSend(t);
    expect(b.admits(t)).toBe(false);
    expect(b.admits(t + 10_000)).toBe(false); // no timeout frees it: only an outcome does
    expect(b.stateAt(t + 10_000)).toBe('half_open');
  });

  it('closes on a probe success and forgets the failures from before', () => {
    const { b, t } = halfOpen();
    b.onSend(t);
    b.record('a', false, t + 5);
    expect(b.stateAt(t + 5)).toBe('closed');
    expect(b.admits(t + 5)).toBe(true);
    expect(b.openedAtMs).toBeUndefined();
    expect(b.failingMembers(t + 5)).toBe(0);
    // a and b failed twice at 100, inside the window: had the history been kept, this would re-trip
    fail(b, 'a', t + 10);
    fail(b, 'b', t + 10);
    expect(b.stateAt(t + 10)).toBe('closed');
  });

  it('re-opens on a probe failure', () => {
    const { b, t } = halfOpen();
    b.onSend(t);
    b.record('c', true, t + 5);
    expect(b.stateAt(t + 5)).toBe('open');
    expect(b.admits(t + 5)).toBe(false);
    expect(b.opens).toBe(2);
    expect(b.openedAtMs).toBe(t + 5);
    // and the next half-open admits a new probe
    const next = t + 5 + openDuration(b, t + 5);
    expect(b.stateAt(next)).toBe('half_open');
    expect(b.admits(next)).toBe(true);
  });

  it('frees the probe slot on a neutral outcome without deciding', () => {
    const { b, t } = halfOpen();
    b.onSend(t);
    expect(b.admits(t)).toBe(false);
    b.recordNeutral(t + 1);
    expect(b.stateAt(t + 1)).toBe('half_open');
    expect(b.admits(t + 1)).toBe(true);
    b.onSend(t + 2);
    expect(b.admits(t + 2)).toBe(false);
  });

  it('onSend and recordNeutral do nothing while closed', () => {
    const b = breaker();
    b.onSend(0);
    b.onSend(0);
    expect(b.admits(0)).toBe(true);
    b.recordNeutral(0);
    expect(b.stateAt(0)).toBe('closed');
  });

  it('an onSend while open does not take the slot of the later probe', () => {
    const b = breaker({ random: () => 0 });
    trip(b, 0);
    b.onSend(10); // e.g. a panic-mode attempt into the open domain
    expect(b.stateAt(225)).toBe('half_open');
    expect(b.admits(225)).toBe(true);
  });
});

describe('while open', () => {
  it('ignores outcomes: late answers from before the trip decide nothing', () => {
    const b = breaker({ random: () => 0 });
    trip(b, 0);
    succeed(b, 'a', 10, 20);
    fail(b, 'c', 20, 5);
    b.recordNeutral(30);
    expect(b.stateAt(224)).toBe('open');
    expect(b.opens).toBe(1);
    // nothing was added to the history: the probe success closes a domain with no failing members
    b.onSend(225);
    b.record('a', false, 225);
    expect(b.failingMembers(225)).toBe(0);
  });

  it('does not extend the back-off when failures keep arriving', () => {
    const b = breaker({ random: () => 0 });
    trip(b, 0);
    fail(b, 'a', 200, 10);
    expect(b.stateAt(225)).toBe('half_open');
  });
});

describe('transition listener', () => {
  it('receives (key, from, to, now) for each transition, in order', () => {
    const listener = vi.fn();
    const b = breaker({ random: () => 0 }, ['a', 'b', 'c'], listener);
    fail(b, 'a', 50, 2);
    expect(listener).not.toHaveBeenCalled();
    fail(b, 'b', 60, 2);
    b.stateAt(200); // still open: no call
    b.stateAt(285); // 60 + 225
    b.onSend(285);
    b.record('a', true, 290); // failed probe: back to open for 450
    b.admits(740);
    b.onSend(740);
    b.record('b', false, 741);
    expect(listener.mock.calls).toEqual([
      ['aws/us-east-1', 'closed', 'open', 60],
      ['aws/us-east-1', 'open', 'half_open', 285],
      ['aws/us-east-1', 'half_open', 'open', 290],
      ['aws/us-east-1', 'open', 'half_open', 740],
      ['aws/us-east-1', 'half_open', 'closed', 741],
    ]);
  });

  it('reports the time the state was first observed after the back-off, not when it expired', () => {
    const listener = vi.fn();
    const b = breaker({ random: () => 0 }, ['a', 'b'], listener);
    trip(b, 0);
    b.admits(1000);
    expect(listener).toHaveBeenLastCalledWith('aws/us-east-1', 'open', 'half_open', 1000);
  });

  it('counts opens across trips and probe failures', () => {
    const b = breaker({ random: () => 0 });
    trip(b, 0);
    b.onSend(225);
    b.record('a', true, 225);
    expect(b.opens).toBe(2);
    b.onSend(675);
    b.record('a', false, 675);
    expect(b.opens).toBe(2);
    trip(b, 2000);
    expect(b.opens).toBe(3);
  });
});

describe('late answers from an earlier state', () => {
  const options = {
    minFailingUpstreams: 2,
    windowMs: 1000,
    backoffMs: 300,
    maxBackoffMs: 800,
    random: () => 0,
  };

  it('a failure of an attempt sent before the trip does not re-open a half-open domain', () => {
    const b = new DomainBreaker('d', ['a', 'b', 'c'], options);
    b.onSend(0);
    for (const m of ['a', 'a', 'b', 'b']) b.record(m, true, 100);
    expect(b.stateAt(100)).toBe('open');
    b.onSend(325);
    b.record('c', true, 3000, 0);
    expect(b.stateAt(3000)).toBe('half_open');
    expect(b.admits(3000)).toBe(false); // the real probe is still out
  });

  it('a success of an attempt sent before the trip does not close it without a probe', () => {
    const b = new DomainBreaker('d', ['a', 'b', 'c'], options);
    for (const m of ['a', 'a', 'b', 'b']) b.record(m, true, 100);
    b.record('c', false, 400, 50);
    expect(b.stateAt(400)).toBe('half_open');
    b.onSend(401);
    b.record('c', false, 402, 401);
    expect(b.stateAt(402)).toBe('closed');
  });
});

describe('stalls', () => {
  it('counts attempts that stalled in one pause as one piece of evidence', () => {
    const b = breaker({}, ['a', 'b']);
    // Six attempts of each member sent within a millisecond all stall 50 ms later: one burst each.
    for (let i = 0; i < 6; i++) {
      b.recordStall('a', 50, i * 0.1);
      b.recordStall('b', 50, i * 0.1);
    }
    expect(b.failingMembers(50)).toBe(0);
    expect(b.stateAt(50)).toBe('closed');
  });

  it('still opens on a hang: attempts sent after the first keep stalling', () => {
    const b = breaker({}, ['a', 'b']);
    for (const sentAt of [0, 3, 6]) {
      b.recordStall('a', sentAt + 50, sentAt);
      b.recordStall('b', sentAt + 50, sentAt);
    }
    expect(b.stateAt(56)).toBe('open');
  });

  it('a stalled attempt answered after all counts as the member answering', () => {
    const b = breaker({}, ['a', 'b']);
    b.recordStall('a', 50, 0);
    b.recordStall('a', 53, 3);
    expect(b.failingMembers(53)).toBe(1);
    b.recordLateAnswer('a', 60, 3);
    expect(b.failingMembers(60)).toBe(0);
  });

  it('a late answer withdraws only the stall of its own burst', () => {
    const b = breaker({}, ['a', 'b']);
    for (const sentAt of [0, 3, 6]) b.recordStall('a', sentAt + 50, sentAt);
    // Answers to the burst sent at 6 arrive; the stalls of 0 and 3 (a hang) stay on record.
    b.recordLateAnswer('a', 60, 6);
    b.recordLateAnswer('a', 61, 6.5);
    expect(b.failingMembers(61)).toBe(1);
  });

  it('an open domain goes half-open when a stalled attempt is answered after all', () => {
    const b = breaker({}, ['a', 'b']);
    for (const sentAt of [0, 3]) {
      b.recordStall('a', sentAt + 50, sentAt);
      b.recordStall('b', sentAt + 50, sentAt);
    }
    expect(b.stateAt(53)).toBe('open');
    b.recordLateAnswer('b', 90, 3);
    expect(b.stateAt(90)).toBe('half_open');
    // The next probe decides, as after a back-off.
    b.onSend(91);
    b.record('b', false, 95, 91);
    expect(b.stateAt(95)).toBe('closed');
  });
});
