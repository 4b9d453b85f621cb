// The simulated fleet on real sockets: every fault must look to a client exactly as documented,
// because the balancer's tests and the benchmarks trust these fakes to be the outage.

import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  activeFault,
  ChainSim,
  type FakeProvider,
  type Fault,
  type Fleet,
  prepareFault,
  refuseFlapPeriods,
  standardFleet,
  startFakeProvider,
  startFleet,
} from '../../src/simulation/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let agent: Agent;
beforeAll(() => {
  agent = new Agent({ keepAliveTimeout: 1000 });
});
afterAll(async () => {
  await agent.close();
});

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<Reply> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function call(url: string, method: string, params: unknown[] = [], id: unknown = 1): Promise<unknown> {
  const reply = await post(url, { jsonrpc: '2.0', id, method, params });
  return JSON.parse(reply.text);
}

async function result(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const body = (await call(url, method, params)) as { result?: unknown; error?: unknown };
  if (body.error) throw new Error(`unexpected error ${JSON.stringify(body.error)}`);
  return body.result;
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    const { code, name } = err as { code?: unknown; name?: string };
    return typeof code === 'string' ? code : name;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fake provider', () => {
  let chain: ChainSim;
  let p: FakeProvider;
  beforeEach(async () => {
    chain = new ChainSim({ chainId: 1, startBlock: 100 });
    p = await startFakeProvider({ name: 'p', chain });
  });
  afterEach(async () => {
    await p.close();
  });

  it('answers the chain methods from the shared chain', async () => {
    expect(p.url).toBe(`http://127.0.0.1:${p.port}/`);
    expect(await result(p.url, 'eth_chainId')).toBe('0x1');
    expect(await result(p.url, 'net_version')).toBe('1');
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x64');
    chain.advance(2);
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x66');
    const latest = (await result(p.url, 'eth_getBlockByNumber', ['latest', false])) as Record<string, string>;
    expect(latest.number).toBe('0x66');
    expect(latest.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(latest.parentHash).toBe(chain.blockHash(0x65));
    expect(await result(p.url, 'eth_getBlockByNumber', ['0x67', false])).toBeNull();
    expect(await result(p.url, 'eth_getBlockByHash', [latest.hash, false])).toEqual(latest);
    const earliest = (await result(p.url, 'eth_getBlockByNumber', ['earliest', false])) as { number: string };
    expect(earliest.number).toBe('0x0');
    const balance = await result(p.url, 'eth_getBalance', [
      '0x00000000000000000000000000000000000000aa',
      'latest',
    ]);
    expect(balance).toMatch(/^0x[1-9a-f][0-9a-f]*$/);
    expect(await result(p.url, 'eth_getBalance', ['0x00000000000000000000000000000000000000AA'])).toBe(
      balance,
    );
    expect(await result(p.url, 'eth_getBalance', ['0x00000000000000000000000000000000000000bb'])).not.toBe(
      balance,
    );
    expect(await result(p.url, 'eth_syncing')).toBe(false);
    expect(await result(p.url, 'eth_getLogs', [{}])).toEqual([]);
  });

  it('answers unknown methods with -32601 and malformed JSON with -32700', async () => {
    const unknown = (await call(p.url, 'eth_nope', [], 5)) as {
      id: number;
      error: { code: number; message: string };
    };
    expect(unknown.id).toBe(5);
    expect(unknown.error.code).toBe(-32601);
    expect(unknown.error.message).toBe('the method eth_nope does not exist/is not available');
    const malformed = await post(p.url, '{"jsonrpc":"2.0","id":1,"method"');
    expect(malformed.status).toBe(200);
    expect(JSON.parse(malformed.text)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'parse error' },
    });
  });

  it('echoes ids exactly, answers batches in order and counts each element', async () => {
    const onRequest: string[] = [];
    p.onRequest((method, atMs) => {
      expect(Math.abs(atMs - Date.now())).toBeLessThan(1000);
      onRequest.push(method);
    });
    const reply = await post(p.url, [
      { jsonrpc: '2.0', id: 'a-uuid-7', method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] },
      { jsonrpc: '2.0', id: null, method: 'eth_missing' },
      { jsonrpc: '2.0', method: 'eth_chainId' },
    ]);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.text).toBe(
      '[{"jsonrpc":"2.0","id":"a-uuid-7","result":"0x1"},{"jsonrpc":"2.0","id":0,"result":"0x64"},' +
        '{"jsonrpc":"2.0","id":null,"error":{"code":-32601,' +
        '"message":"the method eth_missing does not exist/is not available"}}]',
    );
    expect(p.stats.requests).toBe(4);
    expect(p.stats.httpRequests).toBe(1);
    expect(Object.fromEntries(p.stats.byMethod)).toEqual({
      eth_chainId: 2,
      eth_blockNumber: 1,
      eth_missing: 1,
    });
    expect(onRequest).toEqual(['eth_chainId', 'eth_blockNumber', 'eth_missing', 'eth_chainId']);
    await call(p.url, 'eth_chainId');
    expect(p.stats.httpRequests).toBe(2);
    p.stats.reset();
    expect([p.stats.requests, p.stats.httpRequests, p.stats.byMethod.size]).toEqual([0, 0, 0]);
    const empty = JSON.parse((await post(p.url, [])).text) as { error: { code: number } };
    expect(empty.error.code).toBe(-32600);
  });

  it('keeps transactions in the shared pool and mines them', async () => {
    const raw = '0x02f86c0180843b9aca00';
    const hash = (await result(p.url, 'eth_sendRawTransaction', [raw])) as string;
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    const again = (await call(p.url, 'eth_sendRawTransaction', [raw])) as { error: unknown };
    expect(again.error).toEqual({ code: -32000, message: 'already known' });
    const pending = (await result(p.url, 'eth_getTransactionByHash', [hash])) as { blockNumber: unknown };
    expect(pending.blockNumber).toBeNull();
    expect(await result(p.url, 'eth_getTransactionReceipt', [hash])).toBeNull();
    expect(await result(p.url, 'eth_getTransactionByHash', [`0x${'1'.repeat(64)}`])).toBeNull();
    chain.advance();
    const receipt = (await result(p.url, 'eth_getTransactionReceipt', [hash])) as Record<string, string>;
    expect(receipt.blockNumber).toBe('0x65');
    expect(receipt.status).toBe('0x1');
    const block = (await result(p.url, 'eth_getBlockByNumber', ['0x65', false])) as {
      transactions: string[];
    };
    expect(block.transactions).toEqual([hash]);
  });

  it('lets a custom handler answer first and falls through on undefined', async () => {
    await p.close();
    p = await startFakeProvider({
      name: 'h',
      chain,
      handler: ({ method, params }) =>
        method === 'eth_call'
          ? { error: { code: 3, message: 'execution reverted', data: params[0] } }
          : undefined,
    });
    const reverted = (await call(p.url, 'eth_call', ['x'])) as { error: unknown };
    expect(reverted.error).toEqual({ code: 3, message: 'execution reverted', data: 'x' });
    expect(await result(p.url, 'eth_chainId')).toBe('0x1');
  });

  it('refuse: ECONNREFUSED, open sockets destroyed, recovers on the same port', async () => {
    const port = p.port;
    await call(p.url, 'eth_chainId'); // leaves a keep-alive socket in the agent
    await p.setFault({ kind: 'refuse' });
    expect(await errorCode(call(p.url, 'eth_chainId'))).toBe('ECONNREFUSED');
    await p.setFault({ kind: 'none' });
    expect(p.port).toBe(port);
    expect(await result(p.url, 'eth_chainId')).toBe('0x1');
  });

  it('hang: reads the request and never answers; close() still ends promptly', async () => {
    await p.setFault({ kind: 'hang' });
    const started = performance.now();
    expect(
      await errorCode(
        post(p.url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, AbortSignal.timeout(300)),
      ),
    ).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(p.stats.byMethod.get('eth_chainId')).toBe(1);
    const stuck = errorCode(call(p.url, 'eth_blockNumber'));
    await sleep(30);
    const closing = performance.now();
    await p.close();
    expect(performance.now() - closing).toBeLessThan(200);
    expect(await stuck).toBe('UND_ERR_SOCKET');
  });

  it('reset: the socket is reset once the request arrived', async () => {
    await p.setFault({ kind: 'reset' });
    expect(await errorCode(call(p.url, 'eth_chainId'))).toBe('ECONNRESET');
    expect(p.stats.requests).toBe(1);
  });

  it('slow: adds latency to each reply', async () => {
    await p.setFault({ kind: 'slow', extraMs: 80, jitterMs: 10 });
    const started = performance.now();
    expect(await result(p.url, 'eth_chainId')).toBe('0x1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(79);
  });

  it('http_status: status, body and content type as configured', async () => {
    await p.setFault({ kind: 'http_status', status: 503 });
    const plain = await post(p.url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
    expect([plain.status, plain.text, plain.headers['content-type']]).toEqual([
      503,
      '503 Service Unavailable',
      'text/plain',
    ]);
    await p.setFault({
      kind: 'http_status',
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    });
    const html = await post(p.url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
    expect([html.status, html.text, html.headers['content-type']]).toEqual([
      502,
      '<html>bad gateway</html>',
      'text/html',
    ]);
  });

  it('throttle: HTTP 429 with Retry-After, -32005 and {code: 429} in a 200', async () => {
    await p.setFault({ kind: 'throttle', retryAfterSec: 7 });
    const http = await post(p.url, { jsonrpc: '2.0', id: 3, method: 'eth_chainId' });
    expect(http.status).toBe(429);
    expect(http.headers['retry-after']).toBe('7');
    expect((JSON.parse(http.text) as { id: number }).id).toBe(3);
    await p.setFault({ kind: 'throttle' });
    expect((await post(p.url, { jsonrpc: '2.0', id: 3, method: 'eth_chainId' })).headers['retry-after']).toBe(
      '1',
    );

    await p.setFault({ kind: 'throttle', style: 'rpc-32005' });
    const rpc = await post(p.url, [
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 2, method: 'eth_chainId' },
    ]);
    expect(rpc.status).toBe(200);
    expect(JSON.parse(rpc.text)).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32005, message: 'limit exceeded' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32005, message: 'limit exceeded' } },
    ]);

    await p.setFault({ kind: 'throttle', style: 'rpc429in200' });
    const in200 = await post(p.url, { jsonrpc: '2.0', id: 4, method: 'eth_chainId' });
    expect(in200.status).toBe(200);
    expect((JSON.parse(in200.text) as { error: { code: number } }).error.code).toBe(429);
  });

  it('garbage and truncated: 200 with bodies a JSON parser rejects', async () => {
    await p.setFault({ kind: 'garbage' });
    const garbage = await post(p.url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
    expect(garbage.status).toBe(200);
    expect(() => JSON.parse(garbage.text)).toThrow(SyntaxError);

    const whole = '{"jsonrpc":"2.0","id":1,"result":"0x1"}';
    await p.setFault({ kind: 'truncated' });
    const cut = await post(p.url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
    expect(cut.status).toBe(200);
    expect(cut.text).toBe(whole.slice(0, whole.length >> 1));
    expect(cut.headers['content-length']).toBe(String(cut.text.length));
    expect(() => JSON.parse(cut.text)).toThrow(SyntaxError);
  });

  it('stale_head: head and latest block freeze while the chain advances', async () => {
    await p.setFault({ kind: 'stale_head' });
    chain.advance(5);
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x64');
    const latest = (await result(p.url, 'eth_getBlockByNumber', ['latest', false])) as { number: string };
    expect(latest.number).toBe('0x64');
    expect(await result(p.url, 'eth_getBlockByNumber', ['0x65', false])).toBeNull();
    await p.setFault({ kind: 'stale_head', frozenAt: 90 });
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x5a');
    await p.setFault({ kind: 'none' });
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x69');
  });

  it('wrong_chain: eth_chainId and net_version report the other chain', async () => {
    await p.setFault({ kind: 'wrong_chain', chainId: 137 });
    expect(await result(p.url, 'eth_chainId')).toBe('0x89');
    expect(await result(p.url, 'net_version')).toBe('137');
    expect(await result(p.url, 'eth_blockNumber')).toBe('0x64');
  });

  it('error_rate: hits exactly every k-th request, reproducibly', async () => {
    await p.setFault({ kind: 'error_rate', rate: 0.5, fault: { kind: 'http_status', status: 500 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post(p.url, { jsonrpc: '2.0', id: i, method: 'eth_chainId' })).status);
    expect(statuses).toEqual([200, 500, 200, 500, 200, 500]);
  });

  it('flapping refuse: the port closes and reopens with the period', async () => {
    await p.setFault({ kind: 'flapping', periodMs: 300, fault: { kind: 'refuse' } });
    expect(await errorCode(call(p.url, 'eth_chainId'))).toBe('ECONNREFUSED');
    await sleep(420); // inside the healthy half [300, 600)
    expect(await result(p.url, 'eth_chainId')).toBe('0x1');
    await sleep(300); // back in the faulty half [600, 900)
    expect(await errorCode(call(p.url, 'eth_chainId'))).toBe('ECONNREFUSED');
  });

  it('latencyMs delays every answer', async () => {
    await p.close();
    p = await startFakeProvider({ name: 'far', chain, latencyMs: () => 40 });
    const started = performance.now();
    await result(p.url, 'eth_chainId');
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });
});

describe('activeFault', () => {
  const inner: Fault = { kind: 'http_status', status: 503 };

  it('flapping starts faulty and alternates each period', () => {
    const f: Fault = { kind: 'flapping', periodMs: 100, fault: inner };
    expect([0, 99, 100, 199, 200, 350].map((t) => activeFault(f, t, 0).kind)).toEqual([
      'http_status',
      'http_status',
      'none',
      'none',
      'http_status',
      'none',
    ]);
  });

  it('error_rate hits the given fraction evenly and turns refuse into reset', () => {
    const tenth: Fault = { kind: 'error_rate', rate: 0.1, fault: inner };
    const hits = Array.from({ length: 100 }, (_, i) => activeFault(tenth, 0, i).kind).filter(
      (k) => k !== 'none',
    );
    expect(hits).toHaveLength(10);
    expect(activeFault(tenth, 0, 9).kind).toBe('http_status');
    const refuse: Fault = { kind: 'error_rate', rate: 1, fault: { kind: 'refuse' } };
    expect(activeFault(refuse, 0, 0).kind).toBe('reset');
    expect(activeFault(refuse, 0, null).kind).toBe('none');
  });

  it('refuseFlapPeriods: the port only needs a timer when a refuse flaps', () => {
    expect(refuseFlapPeriods({ kind: 'refuse' })).toEqual([]);
    expect(refuseFlapPeriods({ kind: 'flapping', periodMs: 50, fault: inner })).toEqual([]);
    const nested: Fault = {
      kind: 'flapping',
      periodMs: 300,
      fault: { kind: 'flapping', periodMs: 200, fault: { kind: 'refuse' } },
    };
    expect(refuseFlapPeriods(nested)).toEqual([300, 200]);
  });

  it('prepareFault freezes a stale head at the current head unless told otherwise', () => {
    expect(prepareFault({ kind: 'stale_head' }, 42)).toEqual({ kind: 'stale_head', frozenAt: 42 });
    expect(prepareFault({ kind: 'stale_head', frozenAt: 7 }, 42)).toEqual({
      kind: 'stale_head',
      frozenAt: 7,
    });
    const flapping = prepareFault({ kind: 'flapping', periodMs: 10, fault: { kind: 'stale_head' } }, 5);
    expect(flapping).toEqual({ kind: 'flapping', periodMs: 10, fault: { kind: 'stale_head', frozenAt: 5 } });
  });
});

describe('fleet', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ chainId: 10, providers: standardFleet() });
  });
  afterAll(async () => {
    await fleet.close();
  });

  it('serves one chain from every provider, labelled by failure domain', async () => {
    expect(fleet.providers.map((p) => p.name)).toEqual([
      'aws-use1-a',
      'aws-use1-b',
      'gcp-euw1-a',
      'gcp-euw1-b',
      'lava-1',
    ]);
    expect(new Set(fleet.providers.map((p) => p.port)).size).toBe(5);
    fleet.chain.advance();
    const heads = await Promise.all(
      fleet.providers.map((p) => result(p.url, 'eth_getBlockByNumber', ['latest', false])),
    );
    expect(new Set(heads.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(await result(fleet.get('lava-1').url, 'eth_chainId')).toBe('0xa');
    expect(fleet.byDomain({ cloud: 'aws', region: 'us-east-1' }).map((p) => p.name)).toEqual([
      'aws-use1-a',
      'aws-use1-b',
    ]);
    expect(fleet.byDomain({ network: 'lava' }).map((p) => p.spec.provider)).toEqual(['lava']);
    expect(() => fleet.get('nope')).toThrow(/nope/);
  });

  it('simulates latency per domain: aws answers faster than lava', async () => {
    const time = async (url: string) => {
      const started = performance.now();
      await result(url, 'eth_chainId');
      return performance.now() - started;
    };
    expect(await time(fleet.get('lava-1').url)).toBeGreaterThanOrEqual(11);
    expect(await time(fleet.get('aws-use1-a').url)).toBeLessThan(await time(fleet.get('lava-1').url));
  });

  it('takes a whole region down and brings it back', async () => {
    await fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'refuse' });
    expect(await errorCode(call(fleet.get('aws-use1-a').url, 'eth_chainId'))).toBe('ECONNREFUSED');
    expect(await errorCode(call(fleet.get('aws-use1-b').url, 'eth_chainId'))).toBe('ECONNREFUSED');
    expect(await result(fleet.get('gcp-euw1-a').url, 'eth_chainId')).toBe('0xa');
    await expect(fleet.setFault({ cloud: 'azure' }, { kind: 'hang' })).rejects.toThrow(/azure/);
    await fleet.setFault({ cloud: 'aws' }, { kind: 'none' });
    expect(await result(fleet.get('aws-use1-b').url, 'eth_chainId')).toBe('0xa');
    await fleet.setFault('lava-1', { kind: 'wrong_chain', chainId: 1 });
    expect(fleet.get('lava-1').fault).toEqual({ kind: 'wrong_chain', chainId: 1 });
    expect(fleet.get('gcp-euw1-a').fault).toEqual({ kind: 'none' });
  });

  it('renders an upstreams YAML snippet the config can load', () => {
    const doc = parse(fleet.upstreamsYaml('optimism')) as {
      chains: Array<{ name: string; chainId: number; upstreams: Array<Record<string, string>> }>;
    };
    expect(doc.chains).toHaveLength(1);
    const [c] = doc.chains;
    expect([c!.name, c!.chainId]).toEqual(['optimism', 10]);
    expect(c!.upstreams[0]).toEqual({
      name: 'aws-use1-a',
      url: fleet.get('aws-use1-a').url,
      cloud: 'aws',
      region: 'us-east-1',
      provider: 'alchemy',
    });
    expect(c!.upstreams[4]!.network).toBe('lava');
  });

  it('rejects duplicate names', async () => {
    const spec = standardFleet()[0]!;
    await expect(startFleet({ providers: [spec, spec] })).rejects.toThrow(/duplicate/);
  });
});
