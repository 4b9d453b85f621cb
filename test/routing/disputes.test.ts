// The dispute book in virtual time: three disputes within a minute take an upstream out of rotation,
// the time out doubles on each repeat, probation ends with an agreeing answer.
import { describe, expect, it } from 'vitest';
import { DisputeBook, type DisputeRecord, noteDispute } from '../../src/routing/disputes.js';

describe('DisputeBook', () => {
  it('takes an upstream out after three disputes within a minute, not after three spread out', () => {
    const spread = new DisputeBook();
    expect(spread.record(0)).toBe(false);
    expect(spread.record(40_000)).toBe(false);
    expect(spread.record(80_000)).toBe(false);
    expect(spread.distrustedAt(80_000)).toBe(false);
    const close = new DisputeBook();
    close.record(0);
    close.record(1000);
    expect(close.record(2000)).toBe(true);
    expect(close.count).toBe(3);
    expect(close.distrustedAt(2000 + 29_999)).toBe(true);
    expect(close.distrustedAt(2000 + 30_000)).toBe(false);
  });

  it('on probation one dispute takes it out again for twice as long; agreeing ends probation', () => {
    const book = new DisputeBook();
    for (const t of [0, 1, 2]) book.record(t);
    expect(book.record(40_000)).toBe(true);
    expect(book.distrustedUntilMs).toBe(40_000 + 60_000);
    book.agreed();
    expect(book.record(200_000)).toBe(false);
  });

  it('keeps the last ten disputes, newest first', () => {
    const list: DisputeRecord[] = [];
    for (let i = 0; i < 12; i++) noteDispute(list, { at: String(i), method: 'm', agreed: null, answers: [] });
    expect(list.map((r) => r.at)).toEqual(['11', '10', '9', '8', '7', '6', '5', '4', '3', '2']);
  });
});
