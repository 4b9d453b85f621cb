// JSON-RPC 2.0 over HTTP through real sockets: ids byte-for-byte, batches, notifications, protocol
// errors answered by the balancer itself, caps, routes, the upstream header, and connect failover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

let chain: ChainSim;
let a: FakeProvider;
let b: FakeProvider;
let balancer: TestBalancer;

beforeAll(async () => {
  chain = new ChainSim({ chainId: 1, startBlock: 100 });
  a = await startFakeProvider({ name: 'a', chain });
  b = await startFakeProvider({ name: 'b', chain });
  balancer = await startBalancer(
    testConfig(
      [
        { name: 'a', url: `${a.url}v2/supersecretkey123456` },
        { name: 'b', url: b.url },
      ],
      { server: { maxBodyBytes: '2kb', maxBatchSize: 5 } },
    ),
  );
});

afterAll(async () => {
  await balancer.close();
  await a.close();
  await b.close();
});

describe('JSON-RPC envelope', () => {
  it.each([
    ['1', '1'],
    ['"abc"', '"abc"'],
    ['12345678901234567890', '12345678901234567890'],
    ['"a\\"b"', '"a\\"b"'],
    ['null', 'null'],
    ['1.50', '1.50'],
  ])('returns id %s byte-for-byte', async (id, expected) => {
    const res = await postRaw(
      balancer.url,
      `{"jsonrpc":"2.0","id":${id},"method":"eth_chainId","params":[]}`,
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe(`{"jsonrpc":"2.0","id":${expected},"result":"0x1"}`);
  });

  it('answers a batch in order, leaves out notifications, and isolates an invalid element', async () => {
    const body = `[
      {"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
      {"jsonrpc":"2.0","method":"eth_blockNumber","params":[]},
      {"jsonrpc":"1.0","id":"bad","method":"eth_chainId"},
      {"jsonrpc":"2.0","id":"x","method":"eth_blockNumber","params":[]}
    ]`;
    const res = await postRaw(balancer.url, body);
    expect(res.status).toBe(200);
    const parts = JSON.parse(res.text) as { id: unknown; result?: string; error?: { code: number } }[];
    expect(parts.map((p) => p.id)).toEqual([1, 'bad', 'x']);
    expect(parts[0]!.result).toBe('0x1');
    expect(parts[1]!.error!.code).toBe(-32600);
    expect(parts[2]!.result).toMatch(/^0x[0-9a-f]+$/);
  });

  it('answers a batch of only notifications with no body', async () => {
    const res = await postRaw(balancer.url, '[{"jsonrpc":"2.0","method":"eth_chainId"}]');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  it('answers an empty batch with one -32600 object', async () => {
    const res = await postRaw(balancer.url, '[]');
    const body = JSON.parse(res.text) as { id: null; error: { code: number } };
    expect(Array.isArray(body)).toBe(false);
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32600);
  });

  it('answers malformed JSON with -32700 and id null', async () => {
    const res = await postRaw(balancer.url, '{"jsonrpc":"2.0","id":1,"method":');
    const body = JSON.parse(res.text) as { id: null; error: { code: number } };
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32700);
  });

  it('passes upstream errors through with their data, unchanged', async () => {
    const res = await postRaw(
      balancer.url,
      '{"jsonrpc":"2.0","id":7,"method":"eth_doesNotExist","params":[]}',
    );
    const body = JSON.parse(res.text) as { id: number; error: { code: number; message: string } };
    expect(body.id).toBe(7);
    expect(body.error.code).toBe(-32601);
    expect(body.error.message).toContain('eth_doesNotExist');
  });

  it('refuses a body over the cap with 413 and keeps serving', async () => {
    const big = `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["${'a'.repeat(4096)}"]}`;
    const res = await postRaw(balancer.url, big);
    expect(res.status).toBe(413);
    expect((JSON.parse(res.text) as { error: { code: number } }).error.code).toBe(-32600);
    const after = await postRaw(balancer.url, '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect(after.status).toBe(200);
  });

  it('refuses a batch over the cap with 413', async () => {
    const call = '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}';
    const res = await postRaw(balancer.url, `[${Array(6).fill(call).join(',')}]`);
    expect(res.status).toBe(413);
    expect(res.text).toContain('batch too large');
  });

  it('names the upstream that answered, and every upstream used by a batch', async () => {
    const single = await postRaw(balancer.url, '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect(['a', 'b']).toContain(single.headers['x-switchyard-upstream']);
    const calls = Array.from({ length: 5 }, (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"eth_chainId"}`);
    const batch = await postRaw(balancer.url, `[${calls.join(',')}]`);
    const names = String(batch.headers['x-switchyard-upstream']).split(',');
    expect(names.length).toBeGreaterThanOrEqual(1);
    for (const n of names) expect(['a', 'b']).toContain(n);
  });

  it('serves the chain by name as well as on /', async () => {
    const res = await postRaw(`${balancer.url}/ethereum`, '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect(res.text).toBe('{"jsonrpc":"2.0","id":1,"result":"0x1"}');
  });
});

describe('routes', () => {
  it('answers an unknown path with 404 and a JSON error', async () => {
    const res = await postRaw(`${balancer.url}/nope`, '{}');
    expect(res.status).toBe(404);
    expect((JSON.parse(res.text) as { error: { message: string } }).error.message).toContain('no such route');
  });

  it('answers GET on a chain path with 405', async () => {
    const res = await getJson(`${balancer.url}/ethereum`);
    expect(res.status).toBe(405);
  });

  it('reports health, readiness and status without URL secrets', async () => {
    expect((await getJson(`${balancer.url}/healthz`)).status).toBe(200);
    expect((await getJson(`${balancer.url}/readyz`)).status).toBe(200);
    const status = await getJson(`${balancer.url}/status`);
    expect(status.status).toBe(200);
    expect(status.text).not.toContain('supersecretkey123456');
    const doc = status.json as { chains: { name: string; upstreams: { name: string; url: string }[] }[] };
    expect(doc.chains[0]!.name).toBe('ethereum');
    expect(doc.chains[0]!.upstreams.map((u) => u.name)).toEqual(['a', 'b']);
    expect(doc.chains[0]!.upstreams[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    expect(balancer.logs.join('\n')).not.toContain('supersecretkey123456');
  });
});

describe('connection refused', () => {
  it('tries the next upstream when one refuses: nothing was sent, so no request fails', async () => {
    const chain2 = new ChainSim({ chainId: 1 });
    const up = await startFakeProvider({ name: 'up', chain: chain2 });
    const down = await startFakeProvider({ name: 'down', chain: chain2, fault: { kind: 'refuse' } });
    const lb = await startBalancer(
      testConfig([
        { name: 'down', url: down.url },
        { name: 'up', url: up.url },
      ]),
    );
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          postRaw(lb.url, `{"jsonrpc":"2.0","id":${i},"method":"eth_blockNumber","params":[]}`),
        ),
      );
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.headers['x-switchyard-upstream']).toBe('up');
        expect(JSON.parse(r.text)).toHaveProperty('result');
      }
    } finally {
      await lb.close();
      await up.close();
      await down.close();
    }
  });
});

describe('a hung upstream', () => {
  it('is cut off at the per-try deadline and the call fails explicitly, naming the timeout', async () => {
    const chain2 = new ChainSim({ chainId: 1 });
    const hung = await startFakeProvider({ name: 'hung', chain: chain2 });
    const lb = await startBalancer(
      testConfig([{ name: 'hung', url: hung.url }], { routing: { tryTimeout: '200ms' } }),
    );
    try {
      await hung.setFault({ kind: 'hang' });
      const started = performance.now();
      const res = await postRaw(
        lb.url,
        '{"jsonrpc":"2.0","id":9,"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","latest"]}',
      );
      const body = JSON.parse(res.text) as {
        id: number;
        error: { code: number; data: { attempts: { outcome: string }[] } };
      };
      expect(body.id).toBe(9);
      expect(body.error.code).toBe(-32051);
      expect(body.error.data.attempts.map((a) => a.outcome)).toEqual(['timeout']);
      // Bounded by the try deadline, far below the 10 s request deadline.
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await lb.close();
      await hung.close();
    }
  });
});
