// The family pieces verified reads pin with: agave's minContextSlot merged into a read's config object,
// and CometBFT's height named in place of "latest", positional or named as the caller sent them.
import { describe, expect, it } from 'vitest';
import { withHeight } from '../../src/families/cometbft/pinned-height.js';
import { readCommitment, withMinContextSlot } from '../../src/families/solana/context-slot.js';

const KEY = 'Vote111111111111111111111111111111111111111';

describe('solana minContextSlot', () => {
  it('merges into the config object, keeping the other keys and a higher slot of the caller', () => {
    expect(withMinContextSlot('getBalance', [KEY], 90)).toEqual([KEY, { minContextSlot: 90 }]);
    expect(
      withMinContextSlot('getAccountInfo', [KEY, { encoding: 'base64', commitment: 'confirmed' }], 90),
    ).toEqual([KEY, { encoding: 'base64', commitment: 'confirmed', minContextSlot: 90 }]);
    expect(withMinContextSlot('getBalance', [KEY, { minContextSlot: 120 }], 90)).toEqual([
      KEY,
      { minContextSlot: 120 },
    ]);
    expect(withMinContextSlot('getTokenAccountsByOwner', [KEY, { mint: KEY }], 5)).toEqual([
      KEY,
      { mint: KEY },
      { minContextSlot: 5 },
    ]);
  });

  it('leaves alone methods without the key and a bare encoding string', () => {
    expect(withMinContextSlot('getTokenAccountBalance', [KEY], 90)).toBeUndefined();
    expect(withMinContextSlot('getTransaction', ['sig', { commitment: 'confirmed' }], 90)).toBeUndefined();
    expect(withMinContextSlot('getAccountInfo', [KEY, 'base64'], 90)).toBeUndefined();
  });

  it("reads the commitment, agave's default being finalized", () => {
    expect(readCommitment('getBalance', [KEY])).toBe('finalized');
    expect(readCommitment('getBalance', [KEY, { commitment: 'confirmed' }])).toBe('confirmed');
  });
});

describe('cometbft height', () => {
  it('names the height where the caller asked for the latest', () => {
    expect(withHeight('block', undefined, 7)).toEqual({ height: '7' });
    expect(withHeight('block', {}, 7)).toEqual({ height: '7' });
    expect(withHeight('block', { height: '0' }, 7)).toEqual({ height: '7' });
    expect(withHeight('block_results', [], 7)).toEqual(['7']);
    expect(withHeight('abci_query', { path: '/store/bank/key', data: 'ab' }, 7)).toEqual({
      path: '/store/bank/key',
      data: 'ab',
      height: '7',
    });
    expect(withHeight('abci_query', ['/p', 'ab'], 7)).toEqual(['/p', 'ab', '7']);
    expect(withHeight('abci_query', ['/p', 'ab', '0', true], 7)).toEqual(['/p', 'ab', '7', true]);
  });

  it('keeps a height the caller named, and leaves other methods alone', () => {
    expect(withHeight('block', { height: '3' }, 7)).toBeUndefined();
    expect(withHeight('abci_query', ['/p', 'ab', '3'], 7)).toBeUndefined();
    expect(withHeight('abci_query', undefined, 7)).toBeUndefined();
    expect(withHeight('tx', { hash: 'AB' }, 7)).toBeUndefined();
  });
});
