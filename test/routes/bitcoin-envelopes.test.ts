// A Bitcoin chain answers every request in the envelope it came in, as Bitcoin Core v28 does
// (src/rpc/request.cpp, src/httprpc.cpp): 1.0/1.1 with `result` and `error` both present and Core's
// HTTP status for a single error, strict 2.0 for "jsonrpc":"2.0", each batch element in its own, for
// upstream answers (v28 and pre-v28 nodes) and Switchyard's own errors alike. Other chains stay 2.0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import {
  type BitcoinUpstream,
  bitcoinChain,
  bitcoinChainConfig,
  BITCOIN_HEIGHT as HEIGHT,
  startBitcoinUpstream,
} from '../helpers/bitcoin.js';

const chain = bitcoinChain();
let core28: BitcoinUpstream;
let core27: BitcoinUpstream;
let evm: FakeProvider;
let balancer: TestBalancer;

beforeAll(async () => {
  core28 = await startBitcoinUpstream(chain);
  core27 = await startBitcoinUpstream(chain, { coreVersion: 27 });
  evm = await startFakeProvider({ name: 'evm', chain: new ChainSim({ chainId: 1, startBlock: 100 }) });
  balancer = await startBalancer({
    server: { host: '127.0.0.1', port: 0, maxBodyBytes: '2kb', maxBatchSize: 8 },
    security: { denyMethods: ['stop'] },
    chains: [
      bitcoinChainConfig('btc', chain, [core28]),
      bitcoinChainConfig('btc27', chain, [core27]),
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [{ name: 'evm', url: evm.url, cloud: 'gcp', region: 'r', provider: 'p' }],
      },
    ],
  });
});

afterAll(async () => {
  await balancer.close();
  await core28.close();
  await core27.close();
  await evm.close();
});

const post = (path: string, body: string) => postRaw(`${balancer.url}${path}`, body);
const OUT_OF_RANGE = '{"code":-8,"message":"Block height out of range"}';

describe.each(['btc', 'btc27'])('1.0/1.1 requests on a Bitcoin chain (%s upstream)', (name) => {
  const path = `/${name}`;

  it('answers success with error null, byte for byte, whatever marks the request as 1.x', async () => {
    for (const body of [
      '{"jsonrpc":"1.0","id":"curltest","method":"getblockcount","params":[]}',
      '{"id":"curltest","method":"getblockcount"}',
      '{"version":"1.1","id":"curltest","method":"getblockcount","params":[]}',
      '{"jsonrpc":null,"id":"curltest","method":"getblockcount","params":null}',
    ]) {
      const res = await post(path, body);
      expect(res.status).toBe(200);
      expect(res.text).toBe(`{"result":${HEIGHT},"error":null,"id":"curltest"}`);
    }
  });

  it("answers an upstream's error with result null and HTTP 500 (404 for an unknown method)", async () => {
    const range = await post(path, '{"jsonrpc":"1.0","id":2,"method":"getblockhash","params":[-1]}');
    expect(range.status).toBe(500);
    expect(range.text).toBe(`{"result":null,"error":${OUT_OF_RANGE},"id":2}`);
    const unknown = await post(path, '{"id":3,"method":"nosuchmethod","params":[]}');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual({
      result: null,
      error: { code: -32601, message: 'Method not found' },
      id: 3,
    });
  });

  it('answers a 2.0 request strictly in 2.0, an error with HTTP 200 and no result member', async () => {
    const ok = await post(path, '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(`{"jsonrpc":"2.0","id":1,"result":${HEIGHT}}`);
    const failed = await post(path, '{"jsonrpc":"2.0","id":1,"method":"getblockhash","params":[-1]}');
    expect(failed.status).toBe(200);
    expect(failed.text).toBe(`{"jsonrpc":"2.0","id":1,"error":${OUT_OF_RANGE}}`);
  });
});

describe('1.0/1.1 on a Bitcoin chain: what Switchyard answers itself', () => {
  it('its own errors: a denied method is a 1.0 error with HTTP 500', async () => {
    const res = await post('/btc', '{"jsonrpc":"1.0","id":"s","method":"stop","params":[]}');
    expect(res.status).toBe(500);
    const body = JSON.parse(res.text) as { result: null; error: { code: number }; id: string };
    expect(body).toMatchObject({ result: null, error: { code: -32053 }, id: 's' });
    expect(res.text).not.toContain('jsonrpc');
  });

  it('a request without an id is answered (Core does), with no id member', async () => {
    const res = await post('/btc', '{"method":"getblockcount"}');
    expect(res.status).toBe(200);
    expect(res.text).toBe(`{"result":${HEIGHT},"error":null}`);
  });

  it('an invalid request: 1.0 error, HTTP 400, its id kept', async () => {
    for (const [body, message] of [
      ['{"id":5,"method":""}', 'method must be a non-empty string'],
      ['{"jsonrpc":"1.1","id":5,"method":"getblockcount"}', 'JSON-RPC version not supported'],
      ['{"jsonrpc":1,"id":5,"method":"getblockcount"}', 'jsonrpc must be a string'],
      ['{"id":5,"method":"getblockcount","params":"x"}', 'params must be an array or an object'],
    ] as const) {
      const res = await post('/btc', body);
      expect(res.status).toBe(400);
      const parsed = JSON.parse(res.text) as {
        result: null;
        error: { code: number; message: string };
        id: 5;
      };
      expect(parsed).toMatchObject({ result: null, error: { code: -32600 }, id: 5 });
      expect(parsed.error.message).toContain(message);
    }
  });

  it('a mixed batch: HTTP 200, every element in its own envelope, 2.0 notifications left out', async () => {
    const res = await post(
      '/btc',
      `[{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]},
        {"jsonrpc":"2.0","id":2,"method":"getblockcount"},
        {"id":3,"method":"getblockhash","params":[-1]},
        {"jsonrpc":"2.0","id":4,"method":"getblockhash","params":[-1]},
        {"jsonrpc":"2.0","method":"getblockcount"},
        {"method":"getblockcount"},
        {"jsonrpc":"3.0","id":7,"method":"getblockcount"},
        {"jsonrpc":"2.0","id":8,"method":"stop"}]`,
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      `[{"result":${HEIGHT},"error":null,"id":1},` +
        `{"jsonrpc":"2.0","id":2,"result":${HEIGHT}},` +
        `{"result":null,"error":${OUT_OF_RANGE},"id":3},` +
        `{"jsonrpc":"2.0","id":4,"error":${OUT_OF_RANGE}},` +
        `{"result":${HEIGHT},"error":null},` +
        '{"result":null,"error":{"code":-32600,"message":"invalid request: JSON-RPC version not supported"},"id":7},' +
        '{"jsonrpc":"2.0","id":8,"error":{"code":-32053,"message":"method not allowed on this endpoint: stop"}}]',
    );
  });

  it('whole-request refusals come in the 1.0 envelope, with id null', async () => {
    const cases: [string, number, number][] = [
      ['{"id":1,"method":', 500, -32700],
      ['[]', 400, -32600],
      [`[${Array(9).fill('{"id":1,"method":"getblockcount"}').join(',')}]`, 413, -32600],
      [`{"id":1,"method":"getblock","params":["${'a'.repeat(4096)}"]}`, 413, -32600],
    ];
    for (const [body, status, code] of cases) {
      const res = await post('/btc', body);
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text)).toMatchObject({ result: null, error: { code }, id: null });
      expect(res.text).not.toContain('jsonrpc');
    }
    const get = await getJson(`${balancer.url}/btc`);
    expect(get.status).toBe(405);
    expect(get.json).toMatchObject({ result: null, error: { code: -32600 }, id: null });
  });
});

describe('other families stay JSON-RPC 2.0', () => {
  it('an EVM chain refuses a request without "jsonrpc":"2.0" in the 2.0 shape, as geth does', async () => {
    const res = await post('/ethereum', '{"id":1,"method":"eth_chainId","params":[]}');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' },
    });
    const ok = await post('/ethereum', '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect(ok.text).toBe('{"jsonrpc":"2.0","id":1,"result":"0x1"}');
    const parse = await post('/ethereum', '{"id":1,');
    expect(JSON.parse(parse.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });
});
