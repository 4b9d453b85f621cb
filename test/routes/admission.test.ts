// Admission control through real sockets: past an upstream's connections plus its queue bound, and past
// a chain's calls in flight, calls are answered at once with HTTP 503, Retry-After and OVERLOADED
// (-32061) instead of waiting into timeouts; every call gets an answer, and the refusals are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/rpc/errors.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { parseProm, total } from '../helpers/ops.js';

let chain: ChainSim;
let slow: FakeProvider;
let balancer: TestBalancer;

// A slow upstream with 2 connections and 2 queued attempts: room for 4 calls at once.
beforeAll(async () => {
  chain = new ChainSim({ chainId: 1, startBlock: 100 });
  slow = await startFakeProvider({ name: 'slow', chain, latencyMs: 400 });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      routing: { upstreamQueue: 2, maxQueueWait: 0, hedge: { enabled: false } },
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
          upstreams: [
            { name: 'slow', url: slow.url, cloud: 'aws', region: 'r', provider: 'p', maxConnections: 2 },
          ],
        },
      ],
    },
    { operations: true },
  );
});

afterAll(async () => {
  await balancer.close();
  await slow.close();
});

const body = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_getBalance', params: ['0x01', 'latest'] });

type Reply = Awaited<ReturnType<typeof postRaw>>;
const code = (r: Reply) => (JSON.parse(r.text) as { error?: { code: number } }).error?.code;

async function overloadedCount(): Promise<number> {
  const text = await (await fetch(`${balancer.url}/metrics`)).text();
  return total(parseProm(text), 'switchyard_rejected_total', { reason: 'overloaded' });
}

describe('admission control', () => {
  it('answers calls past the bound at once with 503, Retry-After and OVERLOADED, and none times out', async () => {
    const before = await overloadedCount();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => postRaw(balancer.url, body(i))));
    const ok = replies.filter((r) => r.status === 200 && code(r) === undefined);
    const refused = replies.filter((r) => r.status === 503);
    expect(ok).toHaveLength(4);
    expect(refused).toHaveLength(16);
    for (const r of refused) {
      expect(r.headers['retry-after']).toBe('1');
      expect(code(r)).toBe(ERRORS.OVERLOADED.rpcCode);
    }
    expect((await overloadedCount()) - before).toBe(16);
  });

  it('admits again once the calls in flight are answered', async () => {
    const replies = await Promise.all([1, 2, 3, 4].map((i) => postRaw(balancer.url, body(i))));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('answers refused batch elements with OVERLOADED and the batch with Retry-After', async () => {
    const batch = `[${[1, 2, 3, 4, 5, 6].map(body).join(',')}]`;
    const reply = await postRaw(balancer.url, batch);
    expect(reply.status).toBe(200);
    expect(reply.headers['retry-after']).toBe('1');
    const parts = JSON.parse(reply.text) as { id: number; result?: string; error?: { code: number } }[];
    expect(parts.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parts.filter((p) => p.result !== undefined)).toHaveLength(4);
    expect(parts.filter((p) => p.error?.code === ERRORS.OVERLOADED.rpcCode)).toHaveLength(2);
  });
});

describe('calls in flight per chain', () => {
  let fast: FakeProvider;
  let bounded: TestBalancer;

  beforeAll(async () => {
    fast = await startFakeProvider({ name: 'fast', chain, latencyMs: 300 });
    bounded = await startBalancer({
      server: { host: '127.0.0.1', port: 0 },
      routing: { maxInFlight: 3, hedge: { enabled: false } },
      chains: [{ name: 'ethereum', chainId: 1, upstreams: [{ name: 'fast', url: fast.url }] }],
    });
  });

  afterAll(async () => {
    await bounded.close();
    await fast.close();
  });

  it('refuses calls beyond routing.maxInFlight with 503 and answers the rest', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => postRaw(bounded.url, body(i))));
    expect(replies.filter((r) => r.status === 200 && code(r) === undefined)).toHaveLength(3);
    const refused = replies.filter((r) => r.status === 503);
    expect(refused).toHaveLength(7);
    expect(
      refused.every((r) => code(r) === ERRORS.OVERLOADED.rpcCode && r.headers['retry-after'] === '1'),
    ).toBe(true);
  });
});
