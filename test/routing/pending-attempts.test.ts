// PendingAttempts: in-flight count and the start of the oldest attempt still in flight.
import { describe, expect, it } from 'vitest';
import { PendingAttempts } from '../../src/routing/pending-attempts.js';

describe('PendingAttempts', () => {
  it('is empty at first', () => {
    const p = new PendingAttempts();
    expect(p.size).toBe(0);
    expect(p.oldestStartMs()).toBeUndefined();
  });

  it('reports the oldest attempt still in flight, whatever order they end in', () => {
    const p = new PendingAttempts();
    const a = p.begin(10);
    const b = p.begin(20);
    const c = p.begin(30);
    expect(p.size).toBe(3);
    expect(p.oldestStartMs()).toBe(10);
    p.end(b);
    expect(p.oldestStartMs()).toBe(10);
    p.end(a);
    expect(p.oldestStartMs()).toBe(30);
    expect(p.size).toBe(1);
    p.end(c);
    expect(p.oldestStartMs()).toBeUndefined();
    expect(p.size).toBe(0);
  });

  it('ignores a second end of the same attempt', () => {
    const p = new PendingAttempts();
    const a = p.begin(1);
    p.begin(2);
    p.end(a);
    p.end(a);
    expect(p.size).toBe(1);
    expect(p.oldestStartMs()).toBe(2);
  });

  it('stays correct across compaction under a long-lived oldest attempt', () => {
    const p = new PendingAttempts();
    const stuck = p.begin(0);
    const live = [];
    for (let i = 1; i <= 5000; i++) {
      const e = p.begin(i);
      if (i % 100 === 0) live.push(e);
      else p.end(e);
    }
    expect(p.size).toBe(1 + live.length);
    expect(p.oldestStartMs()).toBe(0);
    p.end(stuck);
    expect(p.oldestStartMs()).toBe(100);
    for (const e of live) p.end(e);
    expect(p.size).toBe(0);
    expect(p.oldestStartMs()).toBeUndefined();
  });
});
