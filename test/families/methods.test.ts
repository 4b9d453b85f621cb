import { describe, expect, it } from 'vitest';
import {
  type BlockRef,
  blockRefOf,
  isLatestRead,
  methodFacts,
  methodLabel,
} from '../../src/families/evm/methods.js';

const HASH = `0x${'ab'.repeat(32)}`;
const ADDR = `0x${'11'.repeat(20)}`;

const STANDARD_METHODS = [
  'eth_chainId',
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_feeHistory',
  'eth_blobBaseFee',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getTransactionCount',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockReceipts',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_getTransactionByBlockNumberAndIndex',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getBlockTransactionCountByNumber',
  'eth_getBlockTransactionCountByHash',
  'eth_getUncleCountByBlockNumber',
  'eth_getUncleCountByBlockHash',
  'eth_getLogs',
  'eth_getProof',
  'eth_createAccessList',
  'eth_syncing',
  'eth_sendRawTransaction',
  'eth_sendTransaction',
  'eth_newFilter',
  'eth_newBlockFilter',
  'eth_newPendingTransactionFilter',
  'eth_getFilterChanges',
  'eth_getFilterLogs',
  'eth_uninstallFilter',
  'eth_subscribe',
  'eth_unsubscribe',
  'eth_simulateV1',
  'net_version',
  'net_listening',
  'net_peerCount',
  'web3_clientVersion',
  'web3_sha3',
  'debug_traceTransaction',
  'debug_traceCall',
  'debug_traceBlockByNumber',
  'debug_traceBlockByHash',
  'trace_block',
  'trace_transaction',
  'trace_filter',
  'trace_call',
  'trace_replayTransaction',
];

describe('methodFacts', () => {
  it.each([
    // method, idempotentRead, hedge, write, sticky, state, blockParam
    ['eth_chainId', true, true, false, undefined, false, undefined],
    ['eth_blockNumber', true, true, false, undefined, false, undefined],
    ['eth_call', true, true, false, undefined, true, 1],
    ['eth_estimateGas', true, true, false, undefined, true, 1],
    ['eth_getBalance', true, true, false, undefined, true, 1],
    ['eth_getStorageAt', true, true, false, undefined, true, 2],
    ['eth_getProof', true, true, false, undefined, true, 2],
    ['eth_feeHistory', true, true, false, undefined, false, 1],
    ['eth_getBlockByNumber', true, true, false, undefined, false, 0],
    ['eth_getBlockByHash', true, true, false, undefined, false, 0],
    ['eth_getTransactionReceipt', true, true, false, undefined, false, undefined],
    ['eth_getLogs', true, true, false, undefined, false, undefined],
    ['eth_simulateV1', true, false, false, undefined, true, 1],
    ['debug_traceTransaction', true, false, false, undefined, false, undefined],
    ['debug_traceCall', true, false, false, undefined, true, 1],
    ['trace_block', true, false, false, undefined, true, 0],
    ['trace_call', true, false, false, undefined, true, 2],
    ['trace_filter', true, false, false, undefined, false, undefined],
    ['eth_sendRawTransaction', false, false, true, undefined, false, undefined],
    ['eth_sendTransaction', false, false, true, undefined, false, undefined],
    ['eth_newFilter', false, false, false, 'create-filter', false, undefined],
    ['eth_newBlockFilter', false, false, false, 'create-filter', false, undefined],
    ['eth_newPendingTransactionFilter', false, false, false, 'create-filter', false, undefined],
    ['eth_getFilterChanges', false, false, false, 'use-filter', false, undefined],
    ['eth_getFilterLogs', false, false, false, 'use-filter', false, undefined],
    ['eth_uninstallFilter', false, false, false, 'use-filter', false, undefined],
    ['eth_subscribe', false, false, false, undefined, false, undefined],
    ['eth_unsubscribe', false, false, false, undefined, false, undefined],
    ['net_version', true, true, false, undefined, false, undefined],
    ['web3_sha3', true, true, false, undefined, false, undefined],
  ])('%s', (method, idempotentRead, hedge, write, sticky, state, blockParam) => {
    expect(methodFacts(method)).toEqual({ idempotentRead, hedge, write, sticky, state, blockParam });
  });

  it.each(['foo_bar', 'eth_CALL', 'ETH_CALL', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'unknown method %j may be retried only when nothing was sent',
    (method) => {
      expect(methodFacts(method)).toEqual({
        idempotentRead: false,
        hedge: false,
        write: false,
        sticky: undefined,
        state: false,
        blockParam: undefined,
      });
    },
  );

  it('hands out frozen facts, so one caller cannot change another caller’s answer', () => {
    expect(Object.isFrozen(methodFacts('eth_call'))).toBe(true);
    expect(Object.isFrozen(methodFacts('nope_nothing'))).toBe(true);
  });

  it('marks state reads, and only them, as needing an archive node for old blocks', () => {
    for (const method of ['eth_getCode', 'eth_getTransactionCount', 'eth_createAccessList', 'trace_callMany'])
      expect(methodFacts(method).state, method).toBe(true);
    for (const method of [
      'eth_getBlockByNumber',
      'eth_getBlockReceipts',
      'eth_getLogs',
      'eth_getTransactionReceipt',
      'debug_traceTransaction',
    ])
      expect(methodFacts(method).state, method).toBe(false);
    // A state read always names its block: the archive rule needs one to measure depth.
    for (const method of STANDARD_METHODS)
      if (methodFacts(method).state) expect(methodFacts(method).blockParam, method).toBeTypeOf('number');
  });

  it('never hedges a method it would not retry', () => {
    for (const method of STANDARD_METHODS) {
      const facts = methodFacts(method);
      if (facts.hedge) expect(facts.idempotentRead, method).toBe(true);
      if (facts.write) expect(facts.hedge || facts.idempotentRead, method).toBe(false);
    }
  });
});

describe('methodLabel', () => {
  it.each(STANDARD_METHODS)('labels %s as itself', (method) => {
    expect(methodLabel(method)).toBe(method);
  });

  it.each(['eth_call2', 'ETH_CALL', 'constructor', '__proto__', 'x'.repeat(10_000), 'eth_call\n', ''])(
    'buckets %j as other',
    (method) => {
      expect(methodLabel(method)).toBe('other');
    },
  );
});

const latest: BlockRef = { tag: 'latest' };

describe('blockRefOf', () => {
  it.each<[string, string, unknown, BlockRef]>([
    ['omitted optional block means latest', 'eth_call', [{ to: ADDR }], latest],
    ['no params at all', 'eth_getBalance', undefined, latest],
    ['explicit null optional block', 'eth_estimateGas', [{ to: ADDR }, null], latest],
    ['hex number', 'eth_getBalance', [ADDR, '0x10'], { number: 16n }],
    ['tag', 'eth_getCode', [ADDR, 'finalized'], { tag: 'finalized' }],
    ['tag is case-insensitive', 'eth_getCode', [ADDR, 'Pending'], { tag: 'pending' }],
    ['earliest', 'eth_getTransactionCount', [ADDR, 'earliest'], { tag: 'earliest' }],
    ['storage slot is not the block', 'eth_getStorageAt', [ADDR, '0x0', '0x2a'], { number: 42n }],
    ['storage omitted block', 'eth_getStorageAt', [ADDR, '0x0'], latest],
    ['proof block', 'eth_getProof', [ADDR, [], 'safe'], { tag: 'safe' }],
    ['EIP-1898 blockHash', 'eth_call', [{ to: ADDR }, { blockHash: HASH }], { hash: HASH }],
    [
      'EIP-1898 blockHash with requireCanonical',
      'eth_getBalance',
      [ADDR, { blockHash: HASH, requireCanonical: true }],
      { hash: HASH },
    ],
    ['EIP-1898 blockNumber', 'eth_getBalance', [ADDR, { blockNumber: '0xff' }], { number: 255n }],
    ['EIP-1898 blockNumber tag', 'eth_getBalance', [ADDR, { blockNumber: 'latest' }], latest],
    ['bare hash where block-or-hash is accepted', 'eth_call', [{ to: ADDR }, HASH], { hash: HASH }],
    [
      'large block number',
      'eth_getBlockByNumber',
      ['0xffffffffffffffffff', false],
      { number: 2n ** 72n - 1n },
    ],
    ['getBlockByNumber tag', 'eth_getBlockByNumber', ['latest', true], latest],
    ['getBlockByHash', 'eth_getBlockByHash', [HASH, false], { hash: HASH }],
    ['getBlockReceipts by number', 'eth_getBlockReceipts', ['0x1'], { number: 1n }],
    ['getBlockReceipts by hash', 'eth_getBlockReceipts', [HASH], { hash: HASH }],
    ['tx by block and index', 'eth_getTransactionByBlockNumberAndIndex', ['0x5', '0x0'], { number: 5n }],
    ['uncle count by hash', 'eth_getUncleCountByBlockHash', [HASH], { hash: HASH }],
    ['tx count by number', 'eth_getBlockTransactionCountByNumber', ['pending'], { tag: 'pending' }],
    ['feeHistory newest block', 'eth_feeHistory', ['0x4', '0x100', [25, 75]], { number: 256n }],
    ['feeHistory newest block omitted', 'eth_feeHistory', ['0x4'], latest],
    ['blockNumber', 'eth_blockNumber', [], latest],
    ['createAccessList', 'eth_createAccessList', [{ to: ADDR }, '0x7'], { number: 7n }],
    ['simulateV1', 'eth_simulateV1', [{ blockStateCalls: [] }, 'finalized'], { tag: 'finalized' }],
    ['traceCall', 'debug_traceCall', [{ to: ADDR }, '0x9', {}], { number: 9n }],
    ['traceBlockByNumber', 'debug_traceBlockByNumber', ['0x9', {}], { number: 9n }],
    ['traceBlockByHash', 'debug_traceBlockByHash', [HASH, {}], { hash: HASH }],
    ['trace_call omitted block', 'trace_call', [{ to: ADDR }, ['trace']], latest],
    ['trace_block', 'trace_block', ['0x3'], { number: 3n }],
    ['getLogs toBlock', 'eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x20' }], { number: 32n }],
    ['getLogs toBlock omitted', 'eth_getLogs', [{ fromBlock: '0x1' }], latest],
    ['getLogs empty filter', 'eth_getLogs', [{}], latest],
    [
      'getLogs toBlock tag',
      'eth_getLogs',
      [{ fromBlock: '0x1', toBlock: 'finalized' }],
      { tag: 'finalized' },
    ],
    ['getLogs blockHash', 'eth_getLogs', [{ blockHash: HASH }], { hash: HASH }],
    ['trace_filter toBlock', 'trace_filter', [{ fromBlock: '0x1', toBlock: '0x2' }], { number: 2n }],
    ['numeric JSON block', 'eth_getBlockByNumber', [17, false], { number: 17n }],
    // Nothing to read: no block dependence, or params the upstream will reject.
    ['no block dependence', 'eth_getTransactionByHash', [HASH], undefined],
    ['chainId', 'eth_chainId', [], undefined],
    ['unknown method', 'foo_bar', ['latest'], undefined],
    ['required block missing', 'eth_getBlockByNumber', [], undefined],
    ['garbage tag', 'eth_getBalance', [ADDR, 'newest'], undefined],
    ['non-hex number', 'eth_getBalance', [ADDR, '123'], undefined],
    ['negative number', 'eth_getBlockByNumber', [-1, false], undefined],
    ['short blockHash', 'eth_call', [{ to: ADDR }, { blockHash: '0x1234' }], undefined],
    ['blockNumber given a hash', 'eth_call', [{ to: ADDR }, { blockNumber: HASH }], undefined],
    ['named params', 'eth_getBalance', { address: ADDR, block: 'latest' }, undefined],
    ['getLogs without a filter', 'eth_getLogs', [], undefined],
    ['getLogs bad blockHash', 'eth_getLogs', [{ blockHash: 12 }], undefined],
  ])('%s', (_name, method, params, expected) => {
    expect(blockRefOf(method, params)).toEqual(expected);
  });
});

describe('isLatestRead', () => {
  it.each<[string, unknown, boolean]>([
    ['eth_blockNumber', [], true],
    ['eth_gasPrice', [], true],
    ['eth_maxPriorityFeePerGas', [], true],
    ['eth_blobBaseFee', [], true],
    ['eth_syncing', [], true],
    ['eth_getFilterChanges', ['0x1'], true],
    ['eth_call', [{ to: ADDR }], true],
    ['eth_call', [{ to: ADDR }, 'latest'], true],
    ['eth_call', [{ to: ADDR }, 'pending'], true],
    ['eth_call', [{ to: ADDR }, 'safe'], true],
    ['eth_call', [{ to: ADDR }, 'finalized'], true],
    ['eth_call', [{ to: ADDR }, { blockNumber: 'latest' }], true],
    ['eth_call', [{ to: ADDR }, 'earliest'], false],
    ['eth_call', [{ to: ADDR }, '0x10'], false],
    ['eth_call', [{ to: ADDR }, { blockHash: HASH }], false],
    ['eth_getBalance', [ADDR, 'newest'], true],
    ['eth_feeHistory', ['0x4', 'latest', []], true],
    ['eth_feeHistory', ['0x4', '0x100', []], false],
    ['eth_getBlockByNumber', ['latest', false], true],
    ['eth_getBlockByNumber', ['0x1', false], false],
    ['eth_getBlockByHash', [HASH, false], false],
    ['eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x2' }], false],
    ['eth_getLogs', [{ fromBlock: '0x1' }], true],
    ['eth_getLogs', [{ fromBlock: 'latest', toBlock: '0x2' }], true],
    ['eth_getLogs', [{ blockHash: HASH }], false],
    ['eth_chainId', [], false],
    ['eth_getTransactionByHash', [HASH], false],
    ['eth_getTransactionReceipt', [HASH], false],
    ['net_version', [], false],
    ['web3_clientVersion', [], false],
    ['debug_traceTransaction', [HASH, {}], false],
    ['eth_sendRawTransaction', ['0x02f8'], false],
    ['some_unknownMethod', [], true],
  ])('%s %j -> %s', (method, params, expected) => {
    expect(isLatestRead(method, params)).toBe(expected);
  });
});
