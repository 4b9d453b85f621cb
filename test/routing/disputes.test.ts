// The dispute book in virtual time: three disputes within a minute take an upstream out of rotation,
// and only an agreeing probe puts it back: none runs before the minimum time out (doubling on each
// repeat), a disagreeing one backs the next off, probation ends with an agreeing verified read.
import { describe, expect, it } from 'vitest';
import { DisputeBook, type DisputeRecord, noteDispute } from '../../src/routing/disputes.js';

const READ = { method: 'getBalance', params: ['key', { minContextSlot: 5 }] };

describe('DisputeBook', () => {
  it('takes an upstream out after three disputes within a minute, not after three spread out', () => {
    const spread = new DisputeBook();
    expect(spread.record(0)).toBe(false);
    expect(spread.record(40_000)).toBe(false);
    expect(spread.record(80_000)).toBe(false);
    expect(spread.distrusted).toBe(false);
    const close = new DisputeBook();
    close.record(0);
    close.record(1000, READ);
    expect(close.record(2000)).toBe(true);
    expect(close.count).toBe(3);
    expect(close.distrusted).toBe(true);
    expect(close.evidence).toEqual(READ);
  });

  it('stays out however long it waits, until a probe agrees; no probe before the minimum time out', () => {
    const book = new DisputeBook();
    for (const t of [0, 1, 2]) book.record(t, READ);
    expect(book.probeDue(2 + 29_999)).toBe(false);
    expect(book.probeDue(2 + 30_000)).toBe(true);
    // A disagreeing probe: still out, the next one 10 s later, then 20 s, ...
    expect(book.probed(false, 40_000)).toBe(false);
    expect(book.distrusted).toBe(true);
    expect(book.probeDue(49_999)).toBe(false);
    expect(book.probeDue(50_000)).toBe(true);
    expect(book.probed(false, 50_000)).toBe(false);
    expect(book.probeDue(69_999)).toBe(false);
    // An hour later it is still out: time alone never brings it back.
    expect(book.distrusted).toBe(true);
    expect(book.probed(true, 3_600_000)).toBe(true);
    expect(book.distrusted).toBe(false);
    expect(book.probeDue(3_600_000)).toBe(false);
  });

  it('back on probation one dispute takes it out again for twice as long; agreeing ends probation', () => {
    const book = new DisputeBook();
    for (const t of [0, 1, 2]) book.record(t);
    book.probed(true, 40_000);
    expect(book.record(50_000)).toBe(true);
    expect(book.probeDue(50_000 + 59_999)).toBe(false);
    expect(book.probeDue(50_000 + 60_000)).toBe(true);
    book.probed(true, 120_000);
    book.agreed();
    expect(book.record(200_000)).toBe(false);
  });

  it('keeps the last ten disputes, newest first', () => {
    const list: DisputeRecord[] = [];
    for (let i = 0; i < 12; i++) noteDispute(list, { at: String(i), method: 'm', agreed: null, answers: [] });
    expect(list.map((r) => r.at)).toEqual(['11', '10', '9', '8', '7', '6', '5', '4', '3', '2']);
  });
});
