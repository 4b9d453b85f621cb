import { describe, expect, it } from 'vitest';
import {
  BITCOIN_MAX_HEADERS_AHEAD,
  bitcoinFamily,
  bitcoinImmutableMethods,
  bitcoinReplyStatus,
  bitcoinTxid,
  bitcoinWtxid,
  isBitcoinImmutableRead,
  parseBitcoinReply,
} from '../../src/families/bitcoin/index.js';
import { hexToBytes } from '../../src/families/bytes.js';
import { matchErrorRow } from '../../src/families/error-rows.js';
import type { RpcErrorFields } from '../../src/families/family.js';

const MAINNET_GENESIS = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';

// Block 0's coinbase: txid 4a5e1e4b... (Bitcoin Core chainparams.cpp genesis, the merkle root of block 0).
const GENESIS_COINBASE =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';
// rust-bitcoin blockdata/transaction.rs test_txid: "non-segwit tx from my mempool" (txid = wtxid).
const LEGACY_TX =
  '01000000010c7196428403d8b0c88fcb3ee8d64f56f55c8973c9ab7dd106bb4f3527f5888d000000006a4730440220503a696f55f2c00eee2ac5e65b17767cd88ed04866b5637d3c1d5d996a70656d02202c9aff698f343abb6d176704beda63fcdec503133ea4f6a5216b7f925fa9910c0121024d89b5a13d6521388969209df27a8469bd565aff10e8d42cef931fad5121bfb8ffffffff02b825b404000000001976a914ef79e7ee9fff98bcfd08473d2b76b02a48f8c69088ac0000000000000000296a2732363030393438363937313732333132373633313032313332353630353838373931323132373000000000';
// rust-bitcoin test_txid: segwit tx from Liquid integration tests, "txid/hash from Core decoderawtransaction".
const SEGWIT_TX =
  '01000000000102ff34f95a672bb6a4f6ff4a7e90fa8c7b3be7e70ffc39bc99be3bda67942e836c0000000023220020cde476664d3fa347b8d54ef3aee33dcb686a65ced2b5207cbf4ec5eda6b9b46e4f414d4c934ad81d330314e888888e3bd22c7dde8aac2ca9227b30d7c40093248af7812201000000232200200af6f6a071a69d5417e592ed99d256ddfd8b3b2238ac73f5da1b06fc0b2e79d54f414d4c0ba0c8f505000000001976a914dcb5898d9036afad9209e6ff0086772795b1441088ac033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87050047304402200380b8663e727d7e8d773530ef85d5f82c0b067c97ae927800a0876a1f01d8e2022021ee611ef6507dfd217add2cd60a8aea3cbcfec034da0bebf3312d19577b8c290147304402207bd9943ce1c2c5547b120683fd05d78d23d73be1a5b5a2074ff586b9c853ed4202202881dcf435088d663c9af7b23efb3c03b9dbc0c899b247aa94a74d9b4b3c84f501483045022100ba12bba745af3f18f6e56be70f8382ca8e107d1ed5ceaa3e8c360d5ecf78886f022069b38ebaac8fe6a6b97b497cbbb115f3176f7213540bef08f9292e5a72de52de01695321023c9cd9c6950ffee24772be948a45dc5ef1986271e46b686cb52007bac214395a2102756e27cb004af05a6e9faed81fd68ff69959e3c64ac8c9f6cd0e08fd0ad0e75d2103fa40da236bd82202a985a9104e851080b5940812685769202a3b43e4a8b13e6a53ae050048304502210098b9687b81d725a7970d1eee91ff6b89bc9832c2e0e3fb0d10eec143930b006f02206f77ce19dc58ecbfef9221f81daad90bb4f468df391212abc4f084fe2cc9bdef01483045022100e5479f81a3ad564103da5e2ec8e12f61f3ac8d312ab68763c1ddd7bae94c20610220789b81b7220b27b681b1b2e87198897376ba9d033bc387f084c8b8310c8539c201483045022100aa1cc48a2d256c0e556616444cc08ae4959d464e5ffff2ae09e3550bdab6ce9f02207192d5e3329a56ba7b1ead724634d104f1c3f8749fe6081e6233aee3e855817a016953210260de9cc68658c61af984e3ab0281d17cfca1cc035966d335f474932d5e6c5422210355fbb768ce3ce39360277345dbb5f376e706459e5a2b5e0e09a535e61690647021023222ceec58b94bd25925dd9743dae6b928737491bd940fc5dd7c6f5d5f2adc1e53ae00000000';
// rust-bitcoin test_segwit_tx_decode: testnet tx 4be105f1... (the first BIP144-encoded tx its author met).
const TESTNET_SEGWIT_COINBASE =
  '010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff3603da1b0e00045503bd5704c7dd8a0d0ced13bb5785010800000000000a636b706f6f6c122f4e696e6a61506f6f6c2f5345475749542fffffffff02b4e5a212000000001976a914876fbb82ec05caa6af7a3b5e5a983aae6c6cc6d688ac0000000000000000266a24aa21a9edf91c46b49eb8a29089980f02ee6b57e7d63d33b18b4fddac2bcd7db2a39837040120000000000000000000000000000000000000000000000000000000000000000000000000';

const bytes = (hex: string) => hexToBytes(hex)!;
const probes = bitcoinFamily.probes;

function outcomeOf(method: string, error: RpcErrorFields): string | undefined {
  return matchErrorRow(bitcoinFamily.errorRows, method, error)?.outcome;
}

describe('bitcoin txid', () => {
  it('legacy transactions: double SHA-256 of the bytes, byte-reversed', () => {
    expect(bitcoinTxid(bytes(GENESIS_COINBASE))).toBe(
      '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
    );
    expect(bitcoinTxid(bytes(LEGACY_TX))).toBe(
      '971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd',
    );
    expect(bitcoinWtxid(bytes(LEGACY_TX))).toBe(bitcoinTxid(bytes(LEGACY_TX)));
  });

  it('segwit transactions: the txid excludes marker, flag and witnesses; the wtxid does not', () => {
    expect(bitcoinTxid(bytes(SEGWIT_TX))).toBe(
      '9652aa62b0e748caeec40c4cb7bc17c6792435cc3dfe447dd1ca24f912a1c6ec',
    );
    expect(bitcoinWtxid(bytes(SEGWIT_TX))).toBe(
      'd6ac4a5e61657c4c604dcde855a1db74ec6b3e54f32695d72c5e11c7761ea1b4',
    );
    expect(bitcoinTxid(bytes(TESTNET_SEGWIT_COINBASE))).toBe(
      '4be105f158ea44aec57bf12c5817d073a712ab131df6f37786872cfc70734188',
    );
  });

  it('refuses bytes that are not exactly one transaction', () => {
    const legacy = bytes(LEGACY_TX);
    expect(bitcoinTxid(legacy.subarray(0, legacy.length - 1))).toBeUndefined(); // truncated locktime
    expect(bitcoinTxid(new Uint8Array([...legacy, 0]))).toBeUndefined(); // trailing byte
    expect(bitcoinTxid(new Uint8Array([1, 0, 0, 0, 0, 2]))).toBeUndefined(); // unknown segwit flag
    expect(bitcoinTxid(new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff]))).toBeUndefined(); // absurd count
    expect(bitcoinTxid(new Uint8Array())).toBeUndefined();
  });
});

describe('bitcoin probes', () => {
  it('identity: getblockhash 0, a 64-hex hash compared in lower case', () => {
    expect(probes.identity).toEqual({ method: 'getblockhash', params: [0] });
    expect(probes.readIdentity({ result: MAINNET_GENESIS })).toBe(MAINNET_GENESIS);
    expect(probes.readIdentity({ result: MAINNET_GENESIS.toUpperCase() })).toBe(MAINNET_GENESIS);
    expect(probes.readIdentity({ result: 'main' })).toBeUndefined();
    expect(probes.readIdentity({ error: { code: -28, message: 'Loading block index…' } })).toBeUndefined();
  });

  it('head: getblockcount', () => {
    expect(probes.head).toEqual({ method: 'getblockcount', params: [] });
    expect(probes.readHead({ result: 870_123 })).toBe(870_123);
    expect(probes.readHead({ result: '870123' })).toBeUndefined();
    expect(bitcoinFamily.liveHead('getblockcount', 5)).toBe(5);
    expect(bitcoinFamily.liveHead('getblockchaininfo', { blocks: 7, headers: 7 })).toBe(7);
    expect(bitcoinFamily.liveHead('getbestblockhash', MAINNET_GENESIS)).toBeUndefined();
  });

  it('readiness: initial block download, headers ahead of blocks, warm-up and IBD errors', () => {
    const read = probes.readReadiness!;
    expect(probes.readiness).toEqual({ method: 'getblockchaininfo', params: [] });
    const info = { chain: 'main', blocks: 870_000, headers: 870_000, initialblockdownload: false };
    expect(read({ result: info })).toEqual({ ready: true });
    expect(read({ result: { ...info, blocks: 100, initialblockdownload: true } })).toEqual({
      ready: false,
      reason: 'initial block download (100 of 870000 blocks)',
    });
    expect(read({ result: { ...info, headers: 870_000 + BITCOIN_MAX_HEADERS_AHEAD } }).ready).toBe(true);
    expect(read({ result: { ...info, headers: 870_010 } })).toEqual({
      ready: false,
      reason: '10 blocks behind its headers',
    });
    expect(read({ error: { code: -28, message: 'Verifying blocks…' } })).toEqual({
      ready: false,
      reason: 'warming up: Verifying blocks…',
    });
    expect(
      read({ error: { code: -10, message: 'Bitcoin Core is in initial sync and waiting for blocks...' } })
        .ready,
    ).toBe(false);
    expect(read({ result: 'nope' }).ready).toBe(false);
  });
});

describe('bitcoin method facts', () => {
  it('reads, heavy reads, writes; wallet RPCs are unknown', () => {
    expect(bitcoinFamily.methodFacts('getblock')).toMatchObject({
      idempotentRead: true,
      hedge: true,
      write: false,
    });
    expect(bitcoinFamily.methodFacts('gettxoutsetinfo')).toMatchObject({
      idempotentRead: true,
      hedge: false,
    });
    expect(bitcoinFamily.methodFacts('sendrawtransaction')).toMatchObject({ write: true, hedge: false });
    expect(bitcoinFamily.methodFacts('sendtoaddress')).toMatchObject({ idempotentRead: false, write: false });
    expect(bitcoinFamily.methodLabel('sendtoaddress')).toBe('other');
  });

  it('latest reads follow the tip; lookups by hash or height do not', () => {
    for (const m of ['getblockcount', 'getbestblockhash', 'estimatesmartfee', 'getrawmempool', 'gettxout']) {
      expect(bitcoinFamily.isLatestRead(m, [])).toBe(true);
    }
    for (const m of ['getblock', 'getblockhash', 'getrawtransaction', 'decoderawtransaction']) {
      expect(bitcoinFamily.isLatestRead(m, [])).toBe(false);
    }
  });

  it('immutable: raw block and header hex, pure decoders; never verbose answers (confirmations grow)', () => {
    expect(bitcoinImmutableMethods.has('getblock')).toBe(true);
    expect(isBitcoinImmutableRead('getblock', [MAINNET_GENESIS, 0])).toBe(true);
    expect(isBitcoinImmutableRead('getblock', { blockhash: MAINNET_GENESIS, verbosity: 0 })).toBe(true);
    expect(isBitcoinImmutableRead('getblock', [MAINNET_GENESIS])).toBe(false); // default verbosity 1
    expect(isBitcoinImmutableRead('getblock', [MAINNET_GENESIS, 2])).toBe(false);
    expect(isBitcoinImmutableRead('getblockheader', [MAINNET_GENESIS, false])).toBe(true);
    expect(isBitcoinImmutableRead('getblockheader', [MAINNET_GENESIS])).toBe(false);
    expect(isBitcoinImmutableRead('decoderawtransaction', [LEGACY_TX])).toBe(true);
    expect(isBitcoinImmutableRead('getblockhash', [0])).toBe(false);
  });
});

describe('bitcoin error rows (src/rpc/protocol.h codes, Core messages)', () => {
  const cases: Array<[string, RpcErrorFields, string]> = [
    ['getblockcount', { code: -28, message: 'Loading block index…' }, 'upstream_error'],
    ['getblockcount', { code: -28, message: 'Verifying blocks…' }, 'upstream_error'],
    [
      'getblocktemplate',
      { code: -10, message: 'Bitcoin Core is in initial sync and waiting for blocks...' },
      'upstream_error',
    ],
    ['getblockhash', { code: -8, message: 'Block height out of range' }, 'missing_state'],
    ['getblock', { code: -5, message: 'Block not found' }, 'missing_state'],
    ['getblock', { code: -1, message: 'Block not available (pruned data)' }, 'missing_state'],
    [
      'getrawtransaction',
      {
        code: -5,
        message:
          'No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.',
      },
      'missing_state',
    ],
    [
      'getrawtransaction',
      {
        code: -5,
        message: 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
      },
      'deterministic',
    ],
    ['getblock', { code: -8, message: "blockhash must be of length 64 (not 3, for 'abc')" }, 'deterministic'],
    [
      'sendrawtransaction',
      { code: -22, message: 'TX decode failed. Make sure the tx has at least one input.' },
      'deterministic',
    ],
    ['sendrawtransaction', { code: -25, message: 'bad-txns-inputs-missingorspent' }, 'deterministic'],
    ['sendrawtransaction', { code: -26, message: 'min relay fee not met, 100 < 141' }, 'deterministic'],
    ['sendrawtransaction', { code: -27, message: 'Transaction already in block chain' }, 'deterministic'],
    [
      'sendrawtransaction',
      { code: -27, message: 'Transaction outputs already in utxo set' },
      'deterministic',
    ],
    ['sendrawtransaction', { code: -26, message: 'txn-already-in-mempool' }, 'deterministic'],
    ['getfoo', { code: -32601, message: 'Method not found' }, 'unsupported'],
    ['getblockcount', { code: -32603, message: 'Internal error' }, 'upstream_error'],
    ['getblockcount', { code: 429, message: 'Too Many Requests' }, 'throttled'],
  ];
  it.each(cases)('%s %j -> %s', (method, error, outcome) => {
    expect(outcomeOf(method, error)).toBe(outcome);
  });
});

describe('bitcoin submission', () => {
  const sub = bitcoinFamily.submission;

  it('duplicates: -27 in chain (both wordings), -26 already in the mempool', () => {
    expect(sub.methods.has('sendrawtransaction')).toBe(true);
    expect(
      sub.isDuplicate('sendrawtransaction', { code: -27, message: 'Transaction already in block chain' }),
    ).toBe(true);
    expect(
      sub.isDuplicate('sendrawtransaction', {
        code: -27,
        message: 'Transaction outputs already in utxo set',
      }),
    ).toBe(true);
    expect(sub.isDuplicate('sendrawtransaction', { code: -26, message: 'txn-already-in-mempool' })).toBe(
      true,
    );
    expect(sub.isDuplicate('sendrawtransaction', { code: -26, message: 'txn-already-known' })).toBe(true);
    expect(sub.isDuplicate('sendrawtransaction', { code: -26, message: 'txn-mempool-conflict' })).toBe(false);
    expect(
      sub.isDuplicate('sendrawtransaction', { code: -25, message: 'bad-txns-inputs-missingorspent' }),
    ).toBe(false);
    expect(sub.isDuplicate('getblock', { code: -27, message: 'Transaction already in block chain' })).toBe(
      false,
    );
  });

  it('the id is the txid of the hex param, positional or named', () => {
    const txid = '9652aa62b0e748caeec40c4cb7bc17c6792435cc3dfe447dd1ca24f912a1c6ec';
    expect(sub.transactionId('sendrawtransaction', [SEGWIT_TX])).toBe(txid);
    expect(sub.transactionId('sendrawtransaction', [SEGWIT_TX, 0.1])).toBe(txid);
    expect(sub.transactionId('sendrawtransaction', { hexstring: SEGWIT_TX })).toBe(txid);
    expect(sub.transactionId('sendrawtransaction', [`0x${SEGWIT_TX}`])).toBeUndefined(); // Core refuses 0x
    expect(sub.transactionId('sendrawtransaction', ['zz'])).toBeUndefined();
    expect(sub.transactionId('getrawtransaction', [SEGWIT_TX])).toBeUndefined();
  });
});

describe('parseBitcoinReply: both envelopes', () => {
  it('1.0 success: result with error null', () => {
    const reply = parseBitcoinReply('{"result":870123,"error":null,"id":"curltest"}', 200);
    expect(reply).toEqual({ kind: 'result', raw: '870123', value: 870123 });
  });

  it('1.0 error: result null, the error object, HTTP 500 read as the node answering', () => {
    const body = '{"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":"curltest"}';
    const reply = parseBitcoinReply(body, 500);
    expect(reply).toMatchObject({ kind: 'error', code: -8, message: 'Block height out of range' });
    expect(reply.kind === 'error' && reply.raw).toBe('{"code":-8,"message":"Block height out of range"}');
    expect(bitcoinReplyStatus(500, reply)).toBe(200);
    const notFound = parseBitcoinReply(
      '{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}',
      404,
    );
    expect(bitcoinReplyStatus(404, notFound)).toBe(200);
  });

  it('2.0 (v28, requests marked 2.0): exactly one of result or error, HTTP 200', () => {
    expect(parseBitcoinReply('{"jsonrpc":"2.0","result":"00ab","id":1}', 200)).toMatchObject({
      kind: 'result',
      value: '00ab',
    });
    const err = parseBitcoinReply(
      '{"jsonrpc":"2.0","error":{"code":-28,"message":"Loading wallet…"},"id":1}',
      200,
    );
    expect(err).toMatchObject({ kind: 'error', code: -28 });
    expect(bitcoinReplyStatus(200, err)).toBe(200);
  });

  it('very old nodes: a bare string error', () => {
    const reply = parseBitcoinReply('{"result":"","error":"bitcoin address not found","id":"1"}', 500);
    expect(reply).toMatchObject({ kind: 'error', code: -1, message: 'bitcoin address not found' });
  });

  it('HTTP failures that are not envelopes stay what they are', () => {
    const unauthorized = parseBitcoinReply('', 401);
    expect(unauthorized.kind).toBe('malformed');
    expect(bitcoinReplyStatus(401, unauthorized)).toBe(401);
    const busy = parseBitcoinReply('Work queue depth exceeded', 503);
    expect(busy).toEqual({ kind: 'malformed', reason: 'body is not JSON (http 503)' });
    expect(bitcoinReplyStatus(503, busy)).toBe(503);
    expect(parseBitcoinReply('{"id":1}', 200).kind).toBe('malformed');
  });
});

describe('bitcoin family', () => {
  it('is the bitcoin envelope', () => {
    expect(bitcoinFamily.name).toBe('bitcoin');
    expect(bitcoinFamily.envelope).toBe('bitcoin');
  });
});
