// The family fakes answer real clients with real shapes: @solana/kit for Solana, bitcoin-cli's exact
// request body for Bitcoin Core (1.0 and 2.0), CometBFT JSON-RPC over fetch and CosmJS. Only 127.0.0.1.
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { address, createSolanaRpc } from '@solana/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bitcoinFamily, parseBitcoinReply } from '../../src/families/bitcoin/index.js';
import { cometbftFamily } from '../../src/families/cometbft/index.js';
import { solanaFamily } from '../../src/families/solana/index.js';
import { type FamilyFleet, type FamilyProviderSpec, startFamilyFleet } from '../../src/simulation/index.js';
import { memoTransaction } from '../helpers/solana.js';

const SPECS: FamilyProviderSpec[] = [
  { name: 'aws-a', cloud: 'aws', region: 'us-east-1', provider: 'p1' },
  { name: 'gcp-b', cloud: 'gcp', region: 'europe-west1', provider: 'p2' },
  { name: 'odd', cloud: 'gcp', region: 'europe-west1', provider: 'p3', wrongChain: true },
];

let fleet: FamilyFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

describe('fake solana nodes through @solana/kit', () => {
  it('answers the probes and reads; a wrong-genesis node shows it; a behind node fails getHealth', async () => {
    fleet = await startFamilyFleet('solana', { providers: SPECS, startHeight: 300_000_000 });
    const rpc = createSolanaRpc(fleet.get('aws-a').url);
    expect(await rpc.getGenesisHash().send()).toBe(fleet.identity);
    expect(await createSolanaRpc(fleet.get('odd').url).getGenesisHash().send()).not.toBe(fleet.identity);
    expect(await rpc.getSlot({ commitment: 'confirmed' }).send()).toBe(299_999_999n);
    expect(await rpc.getHealth().send()).toBe('ok');
    const balance = await rpc.getBalance(address('So11111111111111111111111111111111111111112')).send();
    expect(typeof balance.value).toBe('bigint');
    const { value } = await rpc.getLatestBlockhash().send();
    expect(value.blockhash.length).toBeGreaterThan(30);
    expect(await rpc.getBlockHeight().send()).toBeLessThan(300_000_000n); // slot != block height

    fleet.setCondition('gcp-b', { kind: 'behind', slots: 500 });
    const behind = await post(fleet.get('gcp-b').url, { jsonrpc: '2.0', id: 1, method: 'getHealth' });
    const error = (behind.json as { error: { code: number; message: string } }).error;
    expect(error).toMatchObject({ code: -32005, message: 'Node is behind by 500 slots' });
    expect(solanaFamily.probes.readReadiness!({ error })).toEqual({
      ready: false,
      reason: 'Node is behind by 500 slots',
    });
    const min = await post(fleet.get('gcp-b').url, {
      jsonrpc: '2.0',
      id: 2,
      method: 'getBalance',
      params: ['So11111111111111111111111111111111111111112', { minContextSlot: 299_999_990 }],
    });
    expect((min.json as { error: { code: number } }).error.code).toBe(-32016);
  });

  it('sendTransaction: the signature, then "already processed" on any node of the cluster', async () => {
    fleet = await startFamilyFleet('solana', { providers: SPECS });
    const { wire, signature } = await memoTransaction(fleet.identity, 3, 1);
    const sent = await createSolanaRpc(fleet.get('aws-a').url)
      .sendTransaction(wire, { encoding: 'base64' })
      .send();
    expect(sent).toBe(signature);
    const again = await post(fleet.get('gcp-b').url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'sendTransaction',
      params: [wire, { encoding: 'base64' }],
    });
    const error = (again.json as { error: { code: number; message: string; data: unknown } }).error;
    expect(error.code).toBe(-32002);
    expect(solanaFamily.submission.isDuplicate('sendTransaction', error)).toBe(true);
    expect(solanaFamily.submission.transactionId('sendTransaction', [wire, { encoding: 'base64' }])).toBe(
      sent,
    );
  });
});

describe('fake bitcoin nodes: bitcoin-cli 1.0 and v28 2.0 envelopes', () => {
  const cli = (method: string, params: unknown[] = []) => ({
    jsonrpc: '1.0',
    id: 'curltest',
    method,
    params,
  });

  it('1.0: result and error both present; errors with HTTP 500 (404 unknown method)', async () => {
    fleet = await startFamilyFleet('bitcoin', { providers: SPECS, startHeight: 870_000 });
    const url = fleet.get('aws-a').url;
    const count = await post(url, cli('getblockcount'));
    expect(count).toMatchObject({ status: 200, json: { result: 870_000, error: null, id: 'curltest' } });
    const genesis = await post(url, cli('getblockhash', [0]));
    expect(bitcoinFamily.probes.readIdentity(genesis.json as { result: unknown })).toBe(fleet.identity);
    const wrong = await post(fleet.get('odd').url, cli('getblockhash', [0]));
    expect((wrong.json as { result: string }).result).not.toBe(fleet.identity);
    const out = await post(url, cli('getblockhash', [900_000]));
    expect(out.status).toBe(500);
    expect(out.json).toEqual({
      result: null,
      error: { code: -8, message: 'Block height out of range' },
      id: 'curltest',
    });
    expect(parseBitcoinReply(out.text, out.status)).toMatchObject({ kind: 'error', code: -8 });
    const unknown = await post(url, cli('getfoo'));
    expect(unknown.status).toBe(404);
    const best = await post(url, cli('getbestblockhash'));
    const block = await post(url, cli('getblock', [(best.json as { result: string }).result]));
    expect(block.json).toMatchObject({ result: { height: 870_000, confirmations: 1 }, error: null });
    const fee = await post(url, cli('estimatesmartfee', [6]));
    expect(fee.json).toMatchObject({ result: { feerate: 0.00012, blocks: 6 } });
  });

  it('2.0 to v28: one of result/error, HTTP 200; before v28 always 1.0', async () => {
    fleet = await startFamilyFleet('bitcoin', {
      providers: [SPECS[0]!, { ...SPECS[1]!, coreVersion: 27 }],
    });
    const strict = await post(fleet.get('aws-a').url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'getblockhash',
      params: [9e9],
    });
    expect(strict.status).toBe(200);
    expect(strict.json).toEqual({
      jsonrpc: '2.0',
      error: { code: -8, message: 'Block height out of range' },
      id: 1,
    });
    const old = await post(fleet.get('gcp-b').url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'getblockcount',
      params: [],
    });
    expect(old.json).toMatchObject({ result: 870_000, error: null });
  });

  it('warm-up and initial block download are not ready; sendrawtransaction duplicates', async () => {
    fleet = await startFamilyFleet('bitcoin', { providers: SPECS });
    fleet.setCondition('gcp-b', { kind: 'warmup' });
    const warm = await post(fleet.get('gcp-b').url, cli('getblockchaininfo'));
    expect(warm.json).toMatchObject({ error: { code: -28, message: 'Loading block index…' } });
    fleet.setCondition('gcp-b', { kind: 'ibd', behind: 5000 });
    const ibd = await post(fleet.get('gcp-b').url, cli('getblockchaininfo'));
    const reply = parseBitcoinReply(ibd.text, ibd.status);
    if (reply.kind !== 'result') throw new Error('getblockchaininfo failed');
    expect(bitcoinFamily.probes.readReadiness!({ result: reply.value })).toEqual({
      ready: false,
      reason: 'initial block download (865000 of 870000 blocks)',
    });

    const raw =
      '01000000010c7196428403d8b0c88fcb3ee8d64f56f55c8973c9ab7dd106bb4f3527f5888d000000006a4730440220503a696f55f2c00eee2ac5e65b17767cd88ed04866b5637d3c1d5d996a70656d02202c9aff698f343abb6d176704beda63fcdec503133ea4f6a5216b7f925fa9910c0121024d89b5a13d6521388969209df27a8469bd565aff10e8d42cef931fad5121bfb8ffffffff02b825b404000000001976a914ef79e7ee9fff98bcfd08473d2b76b02a48f8c69088ac0000000000000000296a2732363030393438363937313732333132373633313032313332353630353838373931323132373000000000';
    const txid = '971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd';
    const url = fleet.get('aws-a').url;
    expect((await post(url, cli('sendrawtransaction', [raw]))).json).toMatchObject({ result: txid });
    // In the mempool: Core answers the txid again.
    expect((await post(fleet.get('odd').url, cli('sendrawtransaction', [raw]))).json).toMatchObject({
      result: txid,
    });
    fleet.clock.advance();
    const mined = await post(url, cli('sendrawtransaction', [raw]));
    const error = (mined.json as { error: { code: number; message: string } }).error;
    expect(error).toEqual({ code: -27, message: 'Transaction outputs already in utxo set' });
    expect(bitcoinFamily.submission.isDuplicate('sendrawtransaction', error)).toBe(true);
    expect((await post(url, cli('getrawtransaction', [txid]))).json).toMatchObject({ result: raw });
  });
});

describe('fake cometbft nodes', () => {
  const rpc = (method: string, params: unknown = {}) => ({ jsonrpc: '2.0', id: -1, method, params });

  it('status gives network, height as a string, catching_up; block by height; wrong network', async () => {
    fleet = await startFamilyFleet('cometbft', { providers: SPECS, startHeight: 23_000_000 });
    const status = (await post(fleet.get('aws-a').url, rpc('status'))).json as { result: unknown };
    expect(cometbftFamily.probes.readIdentity(status)).toBe('cosmoshub-4');
    expect(cometbftFamily.probes.readHead(status)).toBe(23_000_000);
    expect(cometbftFamily.probes.readReadiness!(status)).toEqual({ ready: true });
    const odd = (await post(fleet.get('odd').url, rpc('status'))).json as { result: unknown };
    expect(cometbftFamily.probes.readIdentity(odd)).toBe('osmosis-1');

    fleet.setCondition('gcp-b', { kind: 'catching_up', behind: 100 });
    const lagging = (await post(fleet.get('gcp-b').url, rpc('status'))).json as { result: unknown };
    expect(cometbftFamily.probes.readReadiness!(lagging)).toEqual({
      ready: false,
      reason: 'catching up (height 22999900)',
    });
    const ahead = await post(fleet.get('gcp-b').url, rpc('block', { height: '23000000' }));
    expect(ahead.json).toMatchObject({
      error: {
        code: -32603,
        message: 'Internal error',
        data: 'height 23000000 must be less than or equal to the current blockchain height 22999900',
      },
    });
    const block = await post(fleet.get('aws-a').url, rpc('block', { height: '22999999' }));
    expect(block.json).toMatchObject({
      result: { block: { header: { height: '22999999', chain_id: 'cosmoshub-4' } } },
    });
    const info = await post(fleet.get('aws-a').url, rpc('abci_info'));
    expect(info.json).toMatchObject({ result: { response: { last_block_height: '23000000' } } });
  });

  it('broadcast_tx_sync: the hash, then "tx already exists in cache"; refused while catching up; tx lookup', async () => {
    fleet = await startFamilyFleet('cometbft', { providers: SPECS });
    const tx = Buffer.from('switchyard-tx').toString('base64');
    const first = await post(fleet.get('aws-a').url, rpc('broadcast_tx_sync', { tx }));
    const hash = cometbftFamily.submission.transactionId('broadcast_tx_sync', { tx });
    expect(first.json).toMatchObject({ result: { code: 0, hash } });
    const again = await post(fleet.get('gcp-b').url, rpc('broadcast_tx_sync', { tx }));
    const error = (again.json as { error: { code: number; message: string; data: string } }).error;
    expect(error).toEqual({ code: -32603, message: 'Internal error', data: 'tx already exists in cache' });
    expect(cometbftFamily.submission.isDuplicate('broadcast_tx_sync', error)).toBe(true);

    fleet.setCondition('gcp-b', { kind: 'catching_up', behind: 10 });
    const closed = await post(
      fleet.get('gcp-b').url,
      rpc('broadcast_tx_async', { tx: Buffer.from('x').toString('base64') }),
    );
    expect(closed.json).toMatchObject({ error: { data: 'endpoint is closed while node is catching up' } });

    fleet.clock.advance();
    const found = await post(
      fleet.get('aws-a').url,
      rpc('tx', { hash: Buffer.from(hash!, 'hex').toString('base64') }),
    );
    expect(found.json).toMatchObject({ result: { hash, tx } });
  });

  it('tx_search in 0.38 shape through CosmJS: by height, paged, ordered; block_results refused when discarding', async () => {
    fleet = await startFamilyFleet('cometbft', {
      providers: [{ ...SPECS[0]!, discardAbciResponses: true }, SPECS[1]!],
      startHeight: 5000,
    });
    const send = (text: string) =>
      post(fleet!.get('aws-a').url, rpc('broadcast_tx_sync', { tx: Buffer.from(text).toString('base64') }));
    await send('send:cosmos1alice:1');
    await send('send:cosmos1bob:2');
    const h1 = fleet.clock.advance();
    await send('send:cosmos1alice:3');
    const h2 = fleet.clock.advance();
    const comet = await Comet38Client.connect(fleet.get('gcp-b').url);
    try {
      const atH1 = await comet.txSearch({ query: `tx.height=${h1}`, per_page: 100, order_by: 'asc' });
      expect(atH1.totalCount).toBe(2);
      expect(atH1.txs.map((t) => [t.height, t.index, Buffer.from(t.tx).toString()])).toEqual([
        [h1, 0, 'send:cosmos1alice:1'],
        [h1, 1, 'send:cosmos1bob:2'],
      ]);
      expect(atH1.txs[0]!.result.events.find((e) => e.type === 'transfer')).toBeDefined();
      // Attribute conditions, descending order, one per page.
      const alice = "transfer.recipient='cosmos1alice'";
      const desc = await comet.txSearch({ query: alice, order_by: 'desc', per_page: 1, page: 1 });
      expect(desc.totalCount).toBe(2);
      expect(desc.txs.map((t) => t.height)).toEqual([h2]);
      const second = await comet.txSearch({ query: alice, order_by: 'desc', per_page: 1, page: 2 });
      expect(second.txs.map((t) => t.height)).toEqual([h1]);
      expect((await comet.txSearch({ query: `tx.height=${h2 + 1}` })).totalCount).toBe(0);
    } finally {
      comet.disconnect();
    }
    const beyond = await post(
      fleet.get('gcp-b').url,
      rpc('tx_search', { query: `tx.height=${h1}`, page: '3', per_page: '1' }),
    );
    expect(beyond.json).toMatchObject({ error: { data: 'page should be within [1, 2] range, given 3' } });
    // 64-bit integers travel as strings (cmtjson): a number is refused as a node refuses it.
    const numeric = await post(fleet.get('gcp-b').url, rpc('tx_search', { query: 'tx.height=1', page: 1 }));
    expect(numeric.json).toMatchObject({ error: { code: -32602 } });

    const discarded = await post(fleet.get('aws-a').url, rpc('block_results', { height: String(h1) }));
    expect(discarded.json).toMatchObject({
      error: { code: -32603, data: 'node is not persisting finalize block responses' },
    });
    const kept = await post(fleet.get('gcp-b').url, rpc('block_results', { height: String(h1) }));
    expect(kept.json).toMatchObject({ result: { height: String(h1) } });
  });

  it('upstreamsYaml carries family and the identity key', async () => {
    fleet = await startFamilyFleet('cometbft', { providers: SPECS.slice(0, 1) });
    const cosmos = parse(fleet.upstreamsYaml('cosmoshub'));
    expect(cosmos.chains[0]).toMatchObject({ name: 'cosmoshub', family: 'cometbft', network: 'cosmoshub-4' });
    expect(cosmos.chains[0].upstreams[0]).toMatchObject({
      name: 'aws-a',
      url: fleet.get('aws-a').url,
      cloud: 'aws',
    });
    await fleet.close();
    fleet = await startFamilyFleet('solana', { providers: SPECS.slice(0, 1) });
    expect(parse(fleet.upstreamsYaml()).chains[0]).toMatchObject({
      name: 'solana',
      family: 'solana',
      genesisHash: fleet.identity,
    });
  });

  it('transport faults of the fake provider still apply', async () => {
    fleet = await startFamilyFleet('cometbft', { providers: SPECS.slice(0, 1) });
    await fleet.setFault('aws-a', { kind: 'http_status', status: 503 });
    expect((await fetch(fleet.get('aws-a').url, { method: 'POST', body: '{}' })).status).toBe(503);
  });
});
