// What every non-EVM family promises the dispatcher, checked the same way for each.
import { describe, expect, it } from 'vitest';
import { bitcoinFamily } from '../../src/families/bitcoin/index.js';
import { cometbftFamily } from '../../src/families/cometbft/index.js';
import type { ChainFamily } from '../../src/families/family.js';
import { solanaFamily } from '../../src/families/solana/index.js';

const FAMILIES: ChainFamily[] = [solanaFamily, bitcoinFamily, cometbftFamily];

describe.each(FAMILIES.map((f) => [f.name, f] as const))('%s family contract', (_name, family) => {
  it('probes call known, retryable reads', () => {
    const { identity, head, readiness } = family.probes;
    for (const call of [identity, head, ...(readiness ? [readiness] : [])]) {
      expect(family.methodLabel(call.method)).toBe(call.method);
      expect(family.methodFacts(call.method)).toMatchObject({ idempotentRead: true, write: false });
    }
    expect(family.isLatestRead(head.method, head.params)).toBe(true);
  });

  it('submission methods are writes: never hedged, never retried as reads', () => {
    expect(family.submission.methods.size).toBeGreaterThan(0);
    for (const method of family.submission.methods) {
      expect(family.methodFacts(method)).toMatchObject({ write: true, idempotentRead: false, hedge: false });
      expect(family.isLatestRead(method, [])).toBe(false);
    }
  });

  it('error rows each say who answers that way, and match on something', () => {
    for (const row of family.errorRows) {
      expect(row.seen.length).toBeGreaterThan(5);
      expect(row.codes !== undefined || row.text !== undefined).toBe(true);
    }
  });

  it('unknown methods get the careful facts and the bounded label', () => {
    expect(family.methodFacts('no_such_method')).toMatchObject({
      idempotentRead: false,
      hedge: false,
      write: false,
    });
    expect(family.methodLabel('no_such_method')).toBe('other');
    expect(family.isLatestRead('no_such_method', [])).toBe(true);
  });
});
