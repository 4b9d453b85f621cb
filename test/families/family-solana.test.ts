import {
  address,
  appendTransactionMessageInstruction,
  type Blockhash,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode } from '../../src/families/base58.js';
import { matchErrorRow } from '../../src/families/error-rows.js';
import type { RpcErrorFields } from '../../src/families/family.js';
import {
  isSolanaImmutableRead,
  SOLANA_HEAD_COMMITMENT,
  solanaFamily,
  solanaImmutableMethods,
  solanaTransactionId,
} from '../../src/families/solana/index.js';

const MAINNET_GENESIS = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d';
const MEMO_PROGRAM = address('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');
const probes = solanaFamily.probes;

function outcomeOf(method: string, error: RpcErrorFields): string | undefined {
  return matchErrorRow(solanaFamily.errorRows, method, error)?.outcome;
}

/** A real signed transaction built and signed by @solana/kit (Ed25519 is deterministic). */
async function signedTransaction() {
  const payer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(7));
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: MAINNET_GENESIS as Blockhash, lastValidBlockHeight: 100n },
        m,
      ),
    (m) =>
      appendTransactionMessageInstruction(
        { programAddress: MEMO_PROGRAM, data: new TextEncoder().encode('switchyard') },
        m,
      ),
  );
  const tx = await signTransactionMessageWithSigners(message);
  return {
    base64: getBase64EncodedWireTransaction(tx),
    wire: new Uint8Array(getTransactionEncoder().encode(tx)),
    signature: getSignatureFromTransaction(tx),
  };
}

describe('base58', () => {
  it('encodes known vectors, leading zero bytes as leading 1s', () => {
    expect(base58Encode(new Uint8Array(32))).toBe('11111111111111111111111111111111'); // System Program id
    expect(base58Encode(new TextEncoder().encode('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(base58Encode(new Uint8Array([0, 0, 1]))).toBe('112');
    expect(base58Encode(new Uint8Array())).toBe('');
  });

  it('decodes back, and refuses characters outside the alphabet (0, O, I, l)', () => {
    expect(base58Decode(MAINNET_GENESIS)?.length).toBe(32);
    expect(base58Encode(base58Decode(MAINNET_GENESIS)!)).toBe(MAINNET_GENESIS);
    expect([...base58Decode('112')!]).toEqual([0, 0, 1]);
    expect(base58Decode('0OIl')).toBeUndefined();
    expect(base58Decode('1'.repeat(5000))).toBeUndefined();
  });
});

describe('solana probes', () => {
  it('identity: getGenesisHash answers a base58 32-byte hash', () => {
    expect(probes.identity).toEqual({ method: 'getGenesisHash', params: [] });
    expect(probes.readIdentity({ result: MAINNET_GENESIS })).toBe(MAINNET_GENESIS);
    expect(probes.readIdentity({ result: 'not-base58-0OIl' })).toBeUndefined();
    expect(probes.readIdentity({ result: '2NEpo7TZRRrLZSi2U' })).toBeUndefined(); // 12 bytes, not a hash
    expect(probes.readIdentity({ error: { code: -32601, message: 'Method not found' } })).toBeUndefined();
  });

  it('head: getSlot at the confirmed commitment, a non-negative integer', () => {
    expect(SOLANA_HEAD_COMMITMENT).toBe('confirmed');
    expect(probes.head).toEqual({ method: 'getSlot', params: [{ commitment: 'confirmed' }] });
    expect(probes.readHead({ result: 312_456_789 })).toBe(312_456_789);
    for (const bad of [-1, 1.5, '123', null, 2 ** 60])
      expect(probes.readHead({ result: bad })).toBeUndefined();
    expect(probes.readHead({ error: { code: -32005, message: 'Node is unhealthy' } })).toBeUndefined();
  });

  it('readiness: getHealth "ok", -32005 behind (agave message shape) is not ready with the reason', () => {
    const read = probes.readReadiness!;
    expect(probes.readiness).toEqual({ method: 'getHealth', params: [] });
    expect(read({ result: 'ok' })).toEqual({ ready: true });
    expect(
      read({ error: { code: -32005, message: 'Node is behind by 42 slots', data: { numSlotsBehind: 42 } } }),
    ).toEqual({ ready: false, reason: 'Node is behind by 42 slots' });
    expect(read({ error: { code: -32005, message: 'Node is unhealthy', data: {} } })).toEqual({
      ready: false,
      reason: 'Node is unhealthy',
    });
    expect(read({ result: 'behind' }).ready).toBe(false);
    // A gateway without getHealth: the head probe judges the node instead.
    expect(read({ error: { code: -32601, message: 'Method not found' } })).toEqual({ ready: true });
  });
});

describe('solana method facts', () => {
  it('reads retry and hedge; scans retry without hedging; writes are never resent', () => {
    expect(solanaFamily.methodFacts('getBalance')).toMatchObject({
      idempotentRead: true,
      hedge: true,
      write: false,
    });
    expect(solanaFamily.methodFacts('getProgramAccounts')).toMatchObject({
      idempotentRead: true,
      hedge: false,
    });
    expect(solanaFamily.methodFacts('sendTransaction')).toMatchObject({ idempotentRead: false, write: true });
    expect(solanaFamily.methodFacts('requestAirdrop').write).toBe(true);
    for (const m of ['getBalance', 'sendTransaction', 'mystery']) {
      expect(solanaFamily.methodFacts(m)).toMatchObject({
        sticky: undefined,
        state: false,
        blockParam: undefined,
      });
    }
    expect(solanaFamily.methodFacts('accountSubscribe')).toMatchObject({
      idempotentRead: false,
      write: false,
    });
  });

  it('labels known methods as themselves, anything else (prototype names too) as other', () => {
    expect(solanaFamily.methodLabel('getSlot')).toBe('getSlot');
    expect(solanaFamily.methodLabel('__proto__')).toBe('other');
    expect(solanaFamily.methodLabel('constructor')).toBe('other');
  });

  it('latest reads: state at a commitment follows the head; lookups by slot or signature do not', () => {
    const latest = (m: string, p: unknown = []) => solanaFamily.isLatestRead(m, p);
    expect(latest('getBalance', ['So11111111111111111111111111111111111111112'])).toBe(true);
    expect(latest('getLatestBlockhash')).toBe(true);
    expect(latest('getSlot')).toBe(true);
    expect(latest('getBlock', [312_000_000])).toBe(false);
    expect(latest('getTransaction', ['5h6x...'])).toBe(false);
    expect(latest('getGenesisHash')).toBe(false);
    expect(latest('getBlocks', [100])).toBe(true);
    expect(latest('getBlocks', [100, 200])).toBe(false);
    expect(latest('somethingNew')).toBe(true);
  });

  it('immutable: genesis, block time, and finalized blocks/transactions only', () => {
    expect([...solanaImmutableMethods].sort()).toEqual([
      'getBlock',
      'getBlockTime',
      'getEpochSchedule',
      'getGenesisHash',
      'getTransaction',
    ]);
    expect(isSolanaImmutableRead('getGenesisHash', [])).toBe(true);
    expect(isSolanaImmutableRead('getBlock', [1])).toBe(true);
    expect(isSolanaImmutableRead('getBlock', [1, { commitment: 'finalized' }])).toBe(true);
    expect(isSolanaImmutableRead('getBlock', [1, { commitment: 'confirmed' }])).toBe(false);
    expect(isSolanaImmutableRead('getTransaction', ['sig', 'json'])).toBe(true);
    expect(isSolanaImmutableRead('getBalance', ['x'])).toBe(false);
  });
});

describe('solana error rows (agave custom_error.rs shapes)', () => {
  const cases: Array<[string, RpcErrorFields, string]> = [
    [
      'getAccountInfo',
      { code: -32016, message: 'Minimum context slot has not been reached', data: { contextSlot: 100 } },
      'missing_state',
    ],
    ['getBlock', { code: -32004, message: 'Block not available for slot 312000000' }, 'missing_state'],
    [
      'getBlock',
      {
        code: -32007,
        message: 'Slot 312000000 was skipped, or missing due to ledger jump to recent snapshot',
      },
      'missing_state',
    ],
    [
      'getBlock',
      { code: -32009, message: 'Slot 5 was skipped, or missing in long-term storage' },
      'missing_state',
    ],
    [
      'getBlock',
      { code: -32001, message: 'Block 5 cleaned up, does not exist on node. First available block: 900' },
      'missing_state',
    ],
    ['getBlock', { code: -32014, message: 'Block status not yet available for slot 9' }, 'missing_state'],
    [
      'getTransaction',
      { code: -32011, message: 'Transaction history is not available from this node' },
      'missing_state',
    ],
    [
      'getLatestBlockhash',
      { code: -32005, message: 'Node is behind by 42 slots', data: { numSlotsBehind: 42 } },
      'upstream_error',
    ],
    ['sendTransaction', { code: -32005, message: 'Node is unhealthy', data: {} }, 'upstream_error'],
    [
      'sendTransaction',
      {
        code: -32002,
        message: 'Transaction simulation failed: Blockhash not found',
        data: { err: 'BlockhashNotFound' },
      },
      'missing_state',
    ],
    [
      'sendTransaction',
      {
        code: -32002,
        message: 'Transaction simulation failed: This transaction has already been processed',
        data: { err: 'AlreadyProcessed' },
      },
      'deterministic',
    ],
    [
      'sendTransaction',
      {
        code: -32002,
        message: 'Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1',
      },
      'deterministic',
    ],
    [
      'sendTransaction',
      { code: -32003, message: 'Transaction signature verification failure' },
      'deterministic',
    ],
    [
      'getBlock',
      {
        code: -32015,
        message:
          'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
      },
      'deterministic',
    ],
    [
      'getTokenAccountsByOwner',
      {
        code: -32010,
        message: 'TokenkegQ excluded from account secondary indexes; this RPC method unavailable for key',
      },
      'unsupported',
    ],
    [
      'getBalance',
      {
        code: 429,
        message:
          'Too many requests for a specific RPC call, contact your app developer or support@rpcpool.com.',
      },
      'throttled',
    ],
    ['getBalance', { code: -32429, message: 'rate limited' }, 'throttled'],
    ['getBalance', { code: -32601, message: 'Method not found' }, 'unsupported'],
    [
      'getBalance',
      { code: -32602, message: 'Invalid params: invalid type: integer `1`, expected a string.' },
      'deterministic',
    ],
    ['getBalance', { code: -32603, message: 'Internal error' }, 'upstream_error'],
  ];
  it.each(cases)('%s %j -> %s', (method, error, outcome) => {
    expect(outcomeOf(method, error)).toBe(outcome);
  });

  it('every row names where its shape was seen', () => {
    for (const row of solanaFamily.errorRows) expect(row.seen.length).toBeGreaterThan(5);
  });
});

describe('solana submission', () => {
  it('sendTransaction is the submission method; duplicates are "already processed"', () => {
    const sub = solanaFamily.submission;
    expect([...sub.methods]).toEqual(['sendTransaction']);
    const dup = {
      code: -32002,
      message: 'Transaction simulation failed: This transaction has already been processed',
      data: { err: 'AlreadyProcessed', logs: [], accounts: null, unitsConsumed: 0 },
    };
    expect(sub.isDuplicate('sendTransaction', dup)).toBe(true);
    expect(
      sub.isDuplicate('sendTransaction', { code: -32002, message: 'x', data: { err: 'AlreadyProcessed' } }),
    ).toBe(true);
    expect(sub.isDuplicate('getBalance', dup)).toBe(false);
    expect(
      sub.isDuplicate('sendTransaction', {
        code: -32002,
        message: 'Transaction simulation failed: Blockhash not found',
      }),
    ).toBe(false);
  });

  it('the transaction id is the first signature, equal to what @solana/kit computes', async () => {
    const tx = await signedTransaction();
    const sub = solanaFamily.submission;
    expect(sub.transactionId('sendTransaction', [tx.base64, { encoding: 'base64' }])).toBe(tx.signature);
    // Without an encoding agave reads base58 (its deprecated default).
    expect(sub.transactionId('sendTransaction', [base58Encode(tx.wire)])).toBe(tx.signature);
    expect(solanaTransactionId(tx.wire)).toBe(tx.signature);
    expect(sub.transactionId('getBalance', [tx.base64, { encoding: 'base64' }])).toBeUndefined();
  });

  it('no id for unsigned, truncated or badly encoded transactions', async () => {
    const tx = await signedTransaction();
    const unsigned = new Uint8Array(tx.wire);
    unsigned.fill(0, 1, 65);
    expect(solanaTransactionId(unsigned)).toBeUndefined();
    expect(solanaTransactionId(tx.wire.subarray(0, 40))).toBeUndefined();
    expect(solanaTransactionId(new Uint8Array([0]))).toBeUndefined(); // zero signatures
    const sub = solanaFamily.submission;
    expect(sub.transactionId('sendTransaction', ['%%%not base64', { encoding: 'base64' }])).toBeUndefined();
    expect(sub.transactionId('sendTransaction', [tx.base64, { encoding: 'json' }])).toBeUndefined();
    expect(sub.transactionId('sendTransaction', [])).toBeUndefined();
    expect(sub.transactionId('sendTransaction', { transaction: tx.base64 })).toBeUndefined();
  });
});

describe('solana family', () => {
  it('speaks strict JSON-RPC 2.0 and takes its head only from the probe', () => {
    expect(solanaFamily.name).toBe('solana');
    expect(solanaFamily.envelope).toBe('2.0');
    expect(solanaFamily.liveHead('getSlot', 123)).toBeUndefined();
  });
});
