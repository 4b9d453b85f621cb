// The pure rules behind the chain-correctness stages: what a broadcast copy's answer means, what may be
// cached, which reads need an archive node, what a read prefers and refuses given the head already
// handed out, and the filter registry's bounds. Sockets-level behaviour is in test/integration/chain-*.
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { isHistoricalStateRead, preferArchive } from '../../src/routing/archive-routing.js';
import type { CallAnswer } from '../../src/routing/call-answer.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { selectUpstream } from '../../src/routing/selection.js';
import { catalogueError } from '../../src/rpc/errors.js';
import type { Outcome } from '../../src/rpc/outcome.js';
import { readOptions, shownBlock } from '../../src/stages/evm/consistent-reads.js';
import { type CachePolicy, cachePolicy, FINAL_DEPTH, storable } from '../../src/stages/evm/response-cache.js';
import { FilterRegistry } from '../../src/stages/evm/sticky-filters.js';
import { verdictOf } from '../../src/stages/tx-broadcast.js';

const HASH = `0x${'ab'.repeat(32)}`;
const ADDR = `0x${'11'.repeat(20)}`;
const HEAD = 10_000;
const hex = (n: number) => `0x${n.toString(16)}`;

let chain: ChainRuntime | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

function makeChain(head: number | undefined, servedHead = 0): ChainRuntime {
  const config = buildConfig(
    {
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: [
            { name: 'a', url: 'http://127.0.0.1:9/' },
            { name: 'b', url: 'http://127.0.0.1:9/', archive: true },
          ],
        },
      ],
    },
    't.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, 0);
  for (const u of chain.upstreams) u.head = head;
  chain.servedHead = servedHead;
  return chain;
}

const nodeError = (code: number, message: string, outcome: Outcome): CallAnswer => ({
  kind: 'error',
  raw: JSON.stringify({ code, message }),
  upstream: 'a',
  outcome,
});

describe('broadcast copy verdicts', () => {
  it.each<{ name: string; verdict: ReturnType<typeof verdictOf>; answer: CallAnswer }>([
    {
      name: 'a hash',
      verdict: 'accepted',
      answer: { kind: 'result', raw: `"${HASH}"`, value: HASH, upstream: 'a' },
    },
    {
      name: 'geth already known',
      verdict: 'accepted',
      answer: nodeError(-32000, 'already known', 'deterministic'),
    },
    {
      name: 'erigon known transaction',
      verdict: 'accepted',
      answer: nodeError(-32000, 'known transaction: 5e1b', 'deterministic'),
    },
    {
      name: 'anvil already imported',
      verdict: 'accepted',
      answer: nodeError(-32003, 'transaction already imported', 'deterministic'),
    },
    {
      name: 'nethermind AlreadyKnown',
      verdict: 'accepted',
      answer: nodeError(-32010, 'AlreadyKnown', 'deterministic'),
    },
    {
      name: '"unknown transaction" is not "known"',
      verdict: 'rejected',
      answer: nodeError(-32000, 'unknown transaction type', 'deterministic'),
    },
    {
      name: 'nonce too low',
      verdict: 'nonce_used',
      answer: nodeError(-32003, 'nonce too low', 'deterministic'),
    },
    {
      name: 'nethermind OldNonce',
      verdict: 'nonce_used',
      answer: nodeError(-32010, 'OldNonce', 'deterministic'),
    },
    {
      name: 'insufficient funds',
      verdict: 'rejected',
      answer: nodeError(-32000, 'insufficient funds for gas * price + value', 'deterministic'),
    },
    { name: 'rate limited', verdict: 'refused', answer: nodeError(429, 'Too Many Requests', 'throttled') },
    {
      name: 'method not offered',
      verdict: 'refused',
      answer: nodeError(-32601, 'method not found', 'unsupported'),
    },
    {
      name: 'a 5xx with a JSON-RPC error',
      verdict: 'uncertain',
      answer: nodeError(-32603, 'internal error', 'upstream_error'),
    },
    {
      name: 'timeout after sending',
      verdict: 'uncertain',
      answer: {
        kind: 'error',
        raw: catalogueError('TX_OUTCOME_UNKNOWN', 'timeout'),
        upstream: 'a',
        outcome: 'timeout',
      },
    },
    {
      name: 'the deadline',
      verdict: 'uncertain',
      answer: { kind: 'error', raw: catalogueError('DEADLINE_EXCEEDED'), upstream: undefined },
    },
    {
      name: 'connection refused (nothing sent)',
      verdict: 'refused',
      answer: {
        kind: 'error',
        raw: catalogueError('UPSTREAMS_FAILED', undefined, { attempts: [{ outcome: 'connect_error' }] }),
        upstream: undefined,
      },
    },
    {
      name: 'no upstream',
      verdict: 'refused',
      answer: { kind: 'error', raw: catalogueError('NO_UPSTREAM'), upstream: undefined },
    },
  ])('$name -> $verdict', ({ verdict, answer }) => {
    expect(verdictOf(answer)).toBe(verdict);
  });
});

describe('cache policy', () => {
  const final = hex(HEAD - FINAL_DEPTH);
  const recent = hex(HEAD - FINAL_DEPTH + 1);
  it.each<[string, string, unknown[], CachePolicy]>([
    ['chain id', 'eth_chainId', [], 'immutable'],
    ['net_version', 'net_version', [], 'immutable'],
    ['block by hash', 'eth_getBlockByHash', [HASH, false], 'immutable'],
    ['final block by number', 'eth_getBlockByNumber', [final, true], 'immutable'],
    ['block not final yet', 'eth_getBlockByNumber', [recent, true], undefined],
    ['latest block', 'eth_getBlockByNumber', ['latest', false], undefined],
    ['finalized tag moves', 'eth_getBlockByNumber', ['finalized', false], undefined],
    ['earliest', 'eth_getBlockByNumber', ['earliest', false], 'immutable'],
    ['receipts by block hash', 'eth_getBlockReceipts', [HASH], 'immutable'],
    ['call at a final block', 'eth_call', [{ to: ADDR }, final], 'immutable'],
    ['call at latest (omitted)', 'eth_call', [{ to: ADDR }], undefined],
    ['balance by EIP-1898 hash', 'eth_getBalance', [ADDR, { blockHash: HASH }], 'immutable'],
    [
      'requireCanonical can turn into an error after a reorg',
      'eth_getBalance',
      [ADDR, { blockHash: HASH, requireCanonical: true }],
      undefined,
    ],
    ['logs of a final range', 'eth_getLogs', [{ fromBlock: '0x1', toBlock: final }], 'immutable'],
    ['logs up to latest', 'eth_getLogs', [{ fromBlock: '0x1' }], undefined],
    ['logs from latest', 'eth_getLogs', [{ fromBlock: 'latest', toBlock: final }], undefined],
    ['logs by block hash', 'eth_getLogs', [{ blockHash: HASH }], 'immutable'],
    ['receipt: once its block is final', 'eth_getTransactionReceipt', [HASH], 'when-final'],
    ['block number', 'eth_blockNumber', [], undefined],
    ['gas price', 'eth_gasPrice', [], undefined],
    ['nonce at latest', 'eth_getTransactionCount', [ADDR, 'latest'], undefined],
    ['a write', 'eth_sendRawTransaction', ['0x00'], undefined],
    ['a filter', 'eth_getFilterChanges', ['0x1'], undefined],
    ['an unknown method', 'custom_method', [final], undefined],
  ])('%s', (_name, method, params, policy) => {
    expect(cachePolicy(method, params, HEAD)).toBe(policy);
  });

  it('caches nothing by number while the head is unknown', () => {
    expect(cachePolicy('eth_getBlockByNumber', ['0x1', false], undefined)).toBeUndefined();
    expect(cachePolicy('eth_getBlockByHash', [HASH, false], undefined)).toBe('immutable');
  });

  it('stores results, never errors or nulls; receipts only once their block is final', () => {
    const result = (value: unknown): CallAnswer => ({
      kind: 'result',
      raw: JSON.stringify(value),
      value,
      upstream: 'a',
    });
    const error: CallAnswer = { kind: 'error', raw: '{"code":-32000,"message":"x"}', upstream: 'a' };
    expect(storable('immutable', result({ number: '0x1' }), HEAD)).toBe(true);
    expect(storable('immutable', result(null), HEAD)).toBe(false);
    expect(storable('immutable', error, HEAD)).toBe(false);
    expect(storable(undefined, result('0x1'), HEAD)).toBe(false);
    expect(storable('when-final', result({ blockNumber: hex(HEAD - FINAL_DEPTH) }), HEAD)).toBe(true);
    expect(storable('when-final', result({ blockNumber: hex(HEAD - 1) }), HEAD)).toBe(false);
    expect(storable('when-final', result({ blockNumber: null }), HEAD)).toBe(false);
    expect(storable('when-final', result({ blockNumber: '0x1' }), undefined)).toBe(false);
  });
});

describe('archive rule', () => {
  it.each<[string, string, unknown[], boolean]>([
    ['old balance', 'eth_getBalance', [ADDR, hex(HEAD - 129)], true],
    ['balance within 128 blocks', 'eth_getBalance', [ADDR, hex(HEAD - 128)], false],
    ['old call', 'eth_call', [{ to: ADDR }, hex(5)], true],
    ['genesis state by tag', 'eth_getCode', [ADDR, 'earliest'], true],
    ['old storage (block is the third param)', 'eth_getStorageAt', [ADDR, '0x0', hex(5)], true],
    ['latest state', 'eth_getBalance', [ADDR, 'latest'], false],
    ['state by hash (depth unknown)', 'eth_getBalance', [ADDR, { blockHash: HASH }], false],
    ['old block: full nodes keep blocks', 'eth_getBlockByNumber', [hex(5), false], false],
    ['old logs: full nodes keep receipts', 'eth_getLogs', [{ fromBlock: '0x1', toBlock: hex(5) }], false],
  ])('%s -> %s', (_name, method, params, expected) => {
    expect(isHistoricalStateRead(makeChain(HEAD), method, params)).toBe(expected);
  });

  it('needs a known head, and prefers configured archive upstreams while any is in the pool', () => {
    const c = makeChain(undefined);
    expect(isHistoricalStateRead(c, 'eth_getBalance', [ADDR, '0x1'])).toBe(false);
    const [a, b] = c.upstreams as [ChainRuntime['upstreams'][0], ChainRuntime['upstreams'][0]];
    expect(preferArchive([a, b])).toEqual([b]);
    expect(preferArchive([a])).toEqual([a]);
  });
});

describe('head preference in selection', () => {
  const pick = (c: ChainRuntime, minHead: number | undefined) => {
    const names = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = selectUpstream(
        c,
        {
          method: 'eth_call',
          latestRead: true,
          needsArchive: false,
          minHead,
          tried: new Set(),
          triedDomains: new Set(),
        },
        0,
        Math.random,
      );
      if (s) names.add(s.upstream.name);
    }
    return [...names].sort();
  };

  it('prefers upstreams at or above minHead, whatever their priority, and falls back when none is', () => {
    const c = makeChain(HEAD);
    c.upstreams[0]!.head = HEAD - 3; // `a` is 3 blocks behind `b`
    for (const u of c.upstreams) u.reportedChainId = 1;
    expect(pick(c, undefined)).toEqual(['a', 'b']);
    expect(pick(c, HEAD)).toEqual(['b']);
    expect(pick(c, HEAD - 3)).toEqual(['a', 'b']);
    expect(pick(c, HEAD + 1)).toEqual(['a', 'b']); // nobody is there: a preference, never a refusal
  });
});

describe('consistent read options', () => {
  it('prefers upstreams at the served head for latest reads, and refuses an older latest block', () => {
    const c = makeChain(HEAD, HEAD - 2);
    const balance = readOptions(c, 'eth_getBalance', [ADDR, 'latest']);
    expect(balance).toEqual({ minHead: HEAD - 2 });
    const latest = readOptions(c, 'eth_getBlockByNumber', ['latest', false]);
    expect(latest.minHead).toBe(HEAD - 2);
    expect(latest.accept?.({ number: hex(HEAD - 3) }, c.upstreams[0]!)).toBe(false);
    expect(latest.accept?.({ number: hex(HEAD - 2) }, c.upstreams[0]!)).toBe(true);
    expect(latest.accept?.(null, c.upstreams[0]!)).toBe(false);
  });

  it('refuses null only for blocks the client has seen (or named by hash)', () => {
    const c = makeChain(HEAD, 100);
    const seen = readOptions(c, 'eth_getBlockByNumber', [hex(100), false]);
    expect(seen.minHead).toBe(100);
    expect(seen.accept?.(null, c.upstreams[0]!)).toBe(false);
    expect(seen.accept?.({ number: hex(100) }, c.upstreams[0]!)).toBe(true);
    expect(readOptions(c, 'eth_getBlockByNumber', [hex(101), false]).accept).toBeUndefined();
    expect(readOptions(c, 'eth_getBlockByHash', [HASH, false]).accept?.(null, c.upstreams[0]!)).toBe(false);
    // An index past the end is a legitimate null.
    expect(
      readOptions(c, 'eth_getTransactionByBlockNumberAndIndex', [hex(50), '0x9']).accept,
    ).toBeUndefined();
    expect(readOptions(c, 'eth_getTransactionReceipt', [HASH])).toEqual({});
  });

  it('checks results only while some upstream is known to be at the block (no retry storm after a failover)', () => {
    const c = makeChain(HEAD - 5, HEAD - 2); // every upstream behind the served head
    const latest = readOptions(c, 'eth_getBlockByNumber', ['latest', false]);
    expect(latest).toEqual({ minHead: HEAD - 2 });
    expect(readOptions(c, 'eth_getBlockByNumber', [hex(HEAD - 3), false])).toEqual({ minHead: HEAD - 3 });
    expect(readOptions(c, 'eth_getBlockByNumber', [hex(HEAD - 5), false]).accept).toBeDefined();
  });

  it('sets nothing before any head was handed out', () => {
    expect(readOptions(makeChain(HEAD, 0), 'eth_call', [{ to: ADDR }, 'latest'])).toEqual({});
  });

  it('reads the block an answer shows', () => {
    expect(shownBlock('eth_getBlockByNumber', { number: '0x10' })).toBe(16);
    expect(shownBlock('eth_getTransactionReceipt', { blockNumber: '0x11' })).toBe(17);
    expect(shownBlock('eth_getTransactionByHash', { blockNumber: null })).toBeUndefined();
    expect(shownBlock('eth_getBalance', '0x10')).toBeUndefined();
  });
});

describe('filter registry', () => {
  it('hands out distinct ids for the same upstream id, and forgets a filter idle too long', () => {
    let now = 5000; // lru-cache reads a start time of 0 as "no expiry": the fake clock starts later
    const registry = new FilterRegistry(1000, 10, () => now);
    const c = makeChain(HEAD);
    const id1 = registry.add(c.upstreams[0]!, '0x1');
    const id2 = registry.add(c.upstreams[1]!, '0x1');
    expect(id1).not.toBe(id2);
    expect(id1).toMatch(/^0x[0-9a-f]{32}$/);
    now = 5900;
    expect(registry.get(id1.toUpperCase().replace('0X', '0x'))?.upstreamId).toBe('0x1'); // polled: idle restarts
    now = 6800;
    expect(registry.get(id1)?.upstream.name).toBe('a');
    expect(registry.get(id2)).toBeUndefined(); // not polled for 1800 ms
  });

  it('keeps at most `max` filters, dropping the least recently used', () => {
    const registry = new FilterRegistry(60_000, 3);
    const u = makeChain(HEAD).upstreams[0]!;
    const ids = [1, 2, 3, 4].map((i) => registry.add(u, hex(i)));
    expect(registry.size).toBe(3);
    expect(registry.get(ids[0]!)).toBeUndefined();
    expect(registry.get(ids[3]!)?.upstreamId).toBe('0x4');
  });
});
