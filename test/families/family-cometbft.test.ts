import { describe, expect, it } from 'vitest';
import {
  cometbftFamily,
  cometbftTxHash,
  isCometbftImmutableRead,
  readCometbftHeight,
} from '../../src/families/cometbft/index.js';
import { matchErrorRow } from '../../src/families/error-rows.js';
import type { RpcErrorFields } from '../../src/families/family.js';

/** The shape of `status` from a Cosmos Hub node (CometBFT v0.38 rpc/core/types ResultStatus). */
function statusResult(overrides: { network?: string; height?: string; catchingUp?: boolean } = {}) {
  return {
    node_info: {
      protocol_version: { p2p: '8', block: '11', app: '0' },
      id: 'f2b42b91d103996efa12ab860c05dac66b8e9f7c',
      listen_addr: 'tcp://0.0.0.0:26656',
      network: overrides.network ?? 'cosmoshub-4',
      version: '0.38.17',
      channels: '40202122233038606100',
      moniker: 'node',
      other: { tx_index: 'on', rpc_address: 'tcp://0.0.0.0:26657' },
    },
    sync_info: {
      latest_block_hash: 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90',
      latest_app_hash: '0B1C2D3E4F5061728394A5B6C7D8E9F00B1C2D3E4F5061728394A5B6C7D8E9F0',
      latest_block_height: overrides.height ?? '23456789',
      latest_block_time: '2025-01-01T00:00:00.123456789Z',
      earliest_block_height: '23000000',
      catching_up: overrides.catchingUp ?? false,
    },
    validator_info: {
      address: '0000000000000000000000000000000000000000',
      pub_key: { type: 'tendermint/PubKeyEd25519', value: 'AAAA' },
      voting_power: '0',
    },
  };
}

const probes = cometbftFamily.probes;

function outcomeOf(method: string, error: RpcErrorFields): string | undefined {
  return matchErrorRow(cometbftFamily.errorRows, method, error)?.outcome;
}

describe('cometbft probes', () => {
  it('one status call gives identity, head and readiness', () => {
    expect(probes.identity).toEqual({ method: 'status', params: {} });
    expect(probes.head).toEqual(probes.identity);
    expect(probes.readiness).toEqual(probes.identity);
    expect(probes.readIdentity({ result: statusResult() })).toBe('cosmoshub-4');
    expect(probes.readHead({ result: statusResult() })).toBe(23_456_789);
    expect(probes.readReadiness!({ result: statusResult() })).toEqual({ ready: true });
  });

  it('catching up is not ready; odd answers are unreadable', () => {
    expect(probes.readReadiness!({ result: statusResult({ catchingUp: true, height: '100' }) })).toEqual({
      ready: false,
      reason: 'catching up (height 100)',
    });
    expect(probes.readReadiness!({ error: { code: -32603, message: 'Internal error' } }).ready).toBe(false);
    expect(probes.readReadiness!({ result: {} }).ready).toBe(false);
    expect(probes.readIdentity({ result: statusResult({ network: '' }) })).toBeUndefined();
    expect(probes.readIdentity({ result: { node_info: 'x' } })).toBeUndefined();
    expect(probes.readHead({ result: statusResult({ height: '-1' }) })).toBeUndefined();
    expect(probes.readHead({ result: statusResult({ height: '12a' }) })).toBeUndefined();
  });

  it('heights are decimal strings; numbers and unsafe integers are refused', () => {
    expect(readCometbftHeight('0')).toBe(0);
    expect(readCometbftHeight('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(readCometbftHeight('9999999999999999')).toBeUndefined();
    expect(readCometbftHeight(5)).toBeUndefined();
    expect(cometbftFamily.liveHead('status', statusResult())).toBe(23_456_789);
    expect(cometbftFamily.liveHead('block', statusResult())).toBeUndefined();
  });
});

describe('cometbft method facts', () => {
  it('reads, writes, unknowns', () => {
    expect(cometbftFamily.methodFacts('block')).toMatchObject({ idempotentRead: true, hedge: true });
    expect(cometbftFamily.methodFacts('genesis')).toMatchObject({ idempotentRead: true, hedge: false });
    for (const m of ['broadcast_tx_sync', 'broadcast_tx_async', 'broadcast_tx_commit']) {
      expect(cometbftFamily.methodFacts(m)).toMatchObject({
        write: true,
        idempotentRead: false,
        hedge: false,
      });
    }
    expect(cometbftFamily.methodFacts('subscribe')).toMatchObject({ idempotentRead: false, write: false });
  });

  it('a height makes a read fixed and cacheable; no height (or 0) is the latest', () => {
    expect(cometbftFamily.isLatestRead('block', {})).toBe(true);
    expect(cometbftFamily.isLatestRead('block', { height: '0' })).toBe(true);
    expect(cometbftFamily.isLatestRead('block', { height: '100' })).toBe(false);
    expect(cometbftFamily.isLatestRead('block', ['100'])).toBe(false);
    expect(cometbftFamily.isLatestRead('status', {})).toBe(true);
    expect(cometbftFamily.isLatestRead('tx', { hash: 'AB' })).toBe(false);
    expect(cometbftFamily.isLatestRead('abci_query', { path: '/store', data: '', height: '5' })).toBe(false);
    expect(cometbftFamily.isLatestRead('abci_query', { path: '/store', data: '' })).toBe(true);
    expect(isCometbftImmutableRead('block', { height: '100' })).toBe(true);
    expect(isCometbftImmutableRead('block', {})).toBe(false);
    expect(isCometbftImmutableRead('commit', { height: '100' })).toBe(false);
    expect(isCometbftImmutableRead('block_by_hash', { hash: 'AB' })).toBe(true);
  });
});

describe('cometbft error rows (reason in data, rpc/jsonrpc/types)', () => {
  const internal = (data: string): RpcErrorFields => ({ code: -32603, message: 'Internal error', data });
  const cases: Array<[string, RpcErrorFields, string]> = [
    ['broadcast_tx_sync', internal('endpoint is closed while node is catching up'), 'upstream_error'],
    ['broadcast_tx_sync', internal('tx already exists in cache'), 'deterministic'],
    [
      'broadcast_tx_sync',
      internal('mempool is full: number of txs 5000 (max: 5000), total txs bytes 1000 (max: 1073741824)'),
      'throttled',
    ],
    ['broadcast_tx_sync', internal('Tx too large. Max size is 1048576, but got 2000000'), 'deterministic'],
    [
      'block',
      internal('height 23456800 must be less than or equal to the current blockchain height 23456789'),
      'missing_state',
    ],
    ['block', internal('height 1 is not available, lowest height is 23000000'), 'missing_state'],
    [
      'tx',
      internal('tx (5B3E0B9DEAF3E4A1C62E2C8F0A0A4B0E14A4C2D7E0E2B0C7C1D2E3F405060708) not found'),
      'missing_state',
    ],
    ['tx_search', internal('transaction indexing is disabled'), 'unsupported'],
    ['block_results', internal('node is not persisting finalize block responses'), 'unsupported'],
    ['block_results', internal('could not find results for height #1'), 'missing_state'],
    ['broadcast_tx_commit', internal('timed out waiting for tx to be included in a block'), 'upstream_error'],
    ['foo', { code: -32601, message: 'Method not found' }, 'unsupported'],
    [
      'block',
      { code: -32602, message: 'Invalid params', data: 'error converting json params to arguments: ...' },
      'deterministic',
    ],
    ['block', internal('some other go error'), 'upstream_error'],
  ];
  it.each(cases)('%s %j -> %s', (method, error, outcome) => {
    expect(outcomeOf(method, error)).toBe(outcome);
  });
});

describe('cometbft submission', () => {
  const sub = cometbftFamily.submission;

  it('"tx already exists in cache" is a duplicate, in data (CometBFT) or message (gateways)', () => {
    const dup = { code: -32603, message: 'Internal error', data: 'tx already exists in cache' };
    expect(sub.isDuplicate('broadcast_tx_sync', dup)).toBe(true);
    expect(
      sub.isDuplicate('broadcast_tx_async', { code: -32603, message: 'tx already exists in cache' }),
    ).toBe(true);
    expect(
      sub.isDuplicate('broadcast_tx_sync', {
        code: -32603,
        message: 'Internal error',
        data: 'mempool is full',
      }),
    ).toBe(false);
    expect(sub.isDuplicate('block', dup)).toBe(false);
  });

  it('the tx hash is upper-case SHA-256 of the tx bytes (base64 in JSON-RPC)', () => {
    // The CometBFT docs' kvstore example broadcasts tx "abcd" and is answered this hash: SHA-256("abcd").
    const abcd = '88D4266FD4E6338D13B845FCF289579D209C897823B9217DA3E161936F031589';
    expect(cometbftTxHash(new TextEncoder().encode('abcd'))).toBe(abcd);
    const tx = Buffer.from('abcd').toString('base64');
    expect(sub.transactionId('broadcast_tx_sync', { tx })).toBe(abcd);
    expect(sub.transactionId('broadcast_tx_commit', [tx])).toBe(abcd);
    expect(sub.transactionId('broadcast_tx_sync', { tx: 'not base64!' })).toBeUndefined();
    expect(sub.transactionId('broadcast_tx_sync', {})).toBeUndefined();
    expect(sub.transactionId('status', { tx })).toBeUndefined();
  });
});

describe('cometbft family', () => {
  it('speaks JSON-RPC 2.0', () => {
    expect(cometbftFamily.name).toBe('cometbft');
    expect(cometbftFamily.envelope).toBe('2.0');
  });
});
