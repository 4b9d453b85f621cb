// Log subscription filters: eth_getLogs semantics for address and positional topics, and clear errors.
import { describe, expect, it } from 'vitest';
import type { Log } from '../../src/subscriptions/block-header.js';
import { matchesLog, parseLogFilter } from '../../src/subscriptions/log-filter.js';

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'B'.repeat(40)}`;
const T1 = `0x${'1'.repeat(64)}`;
const T2 = `0x${'2'.repeat(64)}`;
const T3 = `0x${'3'.repeat(64)}`;

function log(address: string, topics: string[]): Log {
  return { blockHash: '0x', logIndex: '0x0', address: address.toLowerCase(), topics, fields: {} };
}

function filter(value: unknown) {
  const parsed = parseLogFilter(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.filter;
}

describe('log filters', () => {
  it('matches addresses (one or any of a list, case-insensitive) and every log without one', () => {
    expect(matchesLog(filter(undefined), log(A, []))).toBe(true);
    expect(matchesLog(filter({ address: A.toUpperCase().replace('0X', '0x') }), log(A, []))).toBe(true);
    expect(matchesLog(filter({ address: [B] }), log(A, []))).toBe(false);
    expect(matchesLog(filter({ address: [A, B] }), log(B, []))).toBe(true);
  });

  it('matches topics by position, null and [] as wildcards, lists as any-of', () => {
    const l = log(A, [T1, T2]);
    expect(matchesLog(filter({ topics: [T1] }), l)).toBe(true);
    expect(matchesLog(filter({ topics: [null, T2] }), l)).toBe(true);
    expect(matchesLog(filter({ topics: [[], [T3, T2]] }), l)).toBe(true);
    expect(matchesLog(filter({ topics: [T2] }), l)).toBe(false);
    expect(matchesLog(filter({ topics: [T1, T2, T3] }), l)).toBe(false);
  });

  it('refuses what eth_getLogs would refuse, saying what', () => {
    expect(parseLogFilter({ address: '0x12' })).toEqual({ ok: false, message: 'invalid address' });
    expect(parseLogFilter({ topics: ['0x1'] })).toEqual({ ok: false, message: 'invalid topic' });
    expect(parseLogFilter({ topics: [null, null, null, null, null] })).toEqual({
      ok: false,
      message: 'at most 4 topic positions',
    });
    expect(parseLogFilter({ fromBlock: '0x1' })).toEqual({
      ok: false,
      message: 'unsupported filter key "fromBlock" (address, topics)',
    });
    expect(parseLogFilter([A])).toEqual({ ok: false, message: 'filter must be an object' });
  });
});
