// The WebSocket endpoint's contract: JSON-RPC over ws with HTTP's id fidelity and error catalogue,
// subscription calls and their errors, the HTTP rules at the upgrade (API keys, Origin, chains), the
// frame cap, connection and subscription limits, rate limits per frame, drain with 1001 and a reload
// that keeps connections and subscriptions.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { buildConfig } from '../../src/config/config.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';
import { openMuteWebSocket } from '../helpers/mute-socket.js';

let chain: ChainSim;
let provider: FakeProvider;
let balancer: TestBalancer | undefined;
const sockets: WebSocket[] = [];

async function setup(extra: Record<string, unknown> = {}, operations = false): Promise<TestBalancer> {
  chain = new ChainSim({ chainId: 1, startBlock: 100 });
  provider = await startFakeProvider({ name: 'p', chain });
  const fast = { subscriptions: { pollInterval: '30ms', ...(extra.subscriptions as object) } };
  balancer = await startBalancer(testConfig([{ name: 'p', url: provider.url }], { ...extra, ...fast }), {
    operations,
  });
  return balancer;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await balancer?.close();
  balancer = undefined;
  await provider?.close();
});

interface Client {
  ws: WebSocket;
  messages: unknown[];
  /** Sends a frame and resolves with the next message that is not a notification. */
  ask(frame: string): Promise<unknown>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  sockets.push(ws);
  const messages: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { method?: string };
    messages.push(m);
    if (m.method !== 'eth_subscription') waiters.shift()?.(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        ask: (frame) =>
          new Promise((answer) => {
            waiters.push(answer);
            ws.send(frame);
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The upgrade's HTTP refusal: status and the JSON-RPC error body. */
function refusal(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    sockets.push(ws);
    ws.once('open', () => reject(new Error('upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => {});
  });
}

const notifications = (c: Client) =>
  c.messages.filter((m) => (m as { method?: string }).method === 'eth_subscription') as {
    params: { subscription: string; result: { number: string } };
  }[];

describe('JSON-RPC over WebSocket', () => {
  it('answers single and batch calls with ids byte for byte, and -32700 without closing', async () => {
    const b = await setup();
    const c = await connect(`${b.wsUrl}/ethereum`);
    const raw = await new Promise<string>((resolve) => {
      c.ws.once('message', (d) => resolve(d.toString()));
      c.ws.send(
        '[{"jsonrpc":"2.0","id":12345678901234567890,"method":"eth_chainId"},{"jsonrpc":"2.0","id":"a","method":"eth_blockNumber"},{"jsonrpc":"2.0","method":"eth_chainId"}]',
      );
    });
    expect(raw).toBe(
      '[{"jsonrpc":"2.0","id":12345678901234567890,"result":"0x1"},{"jsonrpc":"2.0","id":"a","result":"0x64"}]',
    );
    expect(await c.ask('{not json')).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'parse error: body is not valid JSON' },
    });
    expect(await c.ask('[]')).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await c.ask('{"jsonrpc":"2.0","id":7,"method":"admin_peers"}')).toMatchObject({
      id: 7,
      error: { code: -32053 },
    });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await c.ask('{"jsonrpc":"2.0","id":8,"method":"eth_chainId"}')).toEqual({
      jsonrpc: '2.0',
      id: 8,
      result: '0x1',
    });
  });

  it('serves / as the first chain and refuses unknown chains with 404', async () => {
    const b = await setup();
    const c = await connect(`${b.wsUrl}/`);
    expect(await c.ask('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')).toMatchObject({ result: '0x1' });
    const r = await refusal(`${b.wsUrl}/nochain`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ id: null, error: { code: -32601 } });
  });

  it('over HTTP, eth_subscribe says notifications are not supported', async () => {
    const b = await setup();
    const res = await postRaw(
      `${b.url}/ethereum`,
      '{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}',
    );
    expect(JSON.parse(res.text)).toMatchObject({ id: 1, error: { code: -32601 } });
    expect(provider.stats.byMethod.get('eth_subscribe')).toBeUndefined();
  });
});

describe('subscription calls', () => {
  it('subscribes, notifies each new head once, and unsubscribes', async () => {
    const b = await setup();
    const c = await connect(`${b.wsUrl}/ethereum`);
    const sub = (await c.ask('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}')) as {
      result: string;
    };
    expect(sub.result).toMatch(/^0x[0-9a-f]{32}$/);
    await new Promise((resolve) => setTimeout(resolve, 150));
    chain.advance(3);
    await waitFor(() => notifications(c).length >= 3, 3000, 'three heads');
    expect(notifications(c).map((n) => n.params.result.number)).toEqual(['0x65', '0x66', '0x67']);
    expect(notifications(c).every((n) => n.params.subscription === sub.result)).toBe(true);
    expect(
      await c.ask(`{"jsonrpc":"2.0","id":2,"method":"eth_unsubscribe","params":["${sub.result}"]}`),
    ).toMatchObject({ result: true });
    expect(
      await c.ask(`{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["${sub.result}"]}`),
    ).toMatchObject({ result: false });
    const status = (await (await fetch(`${b.url}/status`)).json()) as {
      chains: { feed: { active: boolean } }[];
    };
    expect(status.chains[0]!.feed.active).toBe(false);
  });

  it('refuses unknown kinds, bad filters, pending transactions without ws upstreams, and the limit', async () => {
    const b = await setup({ subscriptions: { maxPerConnection: 2 } });
    const c = await connect(`${b.wsUrl}/ethereum`);
    expect(
      await c.ask('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["syncing"]}'),
    ).toMatchObject({ id: 1, error: { code: -32602 } });
    expect(
      await c.ask('{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["logs",{"address":"0x12"}]}'),
    ).toMatchObject({ id: 2, error: { code: -32602, message: expect.stringContaining('invalid address') } });
    expect(
      await c.ask('{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["newPendingTransactions"]}'),
    ).toMatchObject({ id: 3, error: { code: -32050 } });
    expect(await c.ask('{"jsonrpc":"2.0","id":4,"method":"eth_subscribe"}')).toMatchObject({
      id: 4,
      error: { code: -32602 },
    });
    expect(
      await c.ask('{"jsonrpc":"2.0","id":5,"method":"eth_subscribe","params":["newHeads"]}'),
    ).toHaveProperty('result');
    expect(
      await c.ask('{"jsonrpc":"2.0","id":6,"method":"eth_subscribe","params":["logs",{"topics":[null]}]}'),
    ).toHaveProperty('result');
    expect(
      await c.ask('{"jsonrpc":"2.0","id":7,"method":"eth_subscribe","params":["newHeads"]}'),
    ).toMatchObject({ id: 7, error: { code: -32058 } });
  });
});

describe('the upgrade follows the HTTP rules', () => {
  const keys = {
    security: { apiKeys: [{ name: 'team', key: 'secret-key-123456', ratePerSecond: 2, burst: 2 }] },
  };

  it('API keys: none is 401, in the header or the path it works, frames spend the rate limit', async () => {
    const b = await setup(keys, true);
    expect((await refusal(`${b.wsUrl}/ethereum`)).status).toBe(401);
    expect((await refusal(`${b.wsUrl}/ethereum/wrong`)).status).toBe(401);
    const byHeader = await connect(`${b.wsUrl}/ethereum`, { headers: { 'x-api-key': 'secret-key-123456' } });
    expect(await byHeader.ask('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')).toMatchObject({
      result: '0x1',
    });
    const byPath = await connect(`${b.wsUrl}/ethereum/secret-key-123456`);
    expect(await byPath.ask('{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}')).toMatchObject({
      result: '0x1',
    });
    // burst 2, both spent: the next frame's calls are refused under their own ids.
    expect(
      await byPath.ask(
        '[{"jsonrpc":"2.0","id":3,"method":"eth_chainId"},{"jsonrpc":"2.0","id":4,"method":"eth_chainId"}]',
      ),
    ).toEqual([
      { jsonrpc: '2.0', id: 3, error: { code: -32054, message: 'rate limit exceeded' } },
      { jsonrpc: '2.0', id: 4, error: { code: -32054, message: 'rate limit exceeded' } },
    ]);
    expect(b.logs.join('\n')).not.toContain('secret-key-123456');
  });

  it('Origin: refused (403) without corsOrigins, allowed when listed', async () => {
    const b = await setup();
    expect((await refusal(`${b.wsUrl}/ethereum`, { origin: 'https://dapp.example' })).status).toBe(403);
    await balancer!.close();
    await provider.close();
    const listed = await setup({ server: { corsOrigins: ['https://dapp.example'] } });
    const c = await connect(`${listed.wsUrl}/ethereum`, { origin: 'https://dapp.example' });
    expect(await c.ask('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')).toMatchObject({ result: '0x1' });
    expect((await refusal(`${listed.wsUrl}/ethereum`, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('a frame over server.maxBodyBytes closes with 1009; connections beyond the cap get 503', async () => {
    const b = await setup({ server: { maxBodyBytes: '1kb' }, subscriptions: { maxConnections: 2 } });
    const big = await connect(`${b.wsUrl}/ethereum`);
    big.ws.send(`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["${'a'.repeat(2000)}"]}`);
    expect((await big.closed).code).toBe(1009);
    await connect(`${b.wsUrl}/ethereum`);
    await connect(`${b.wsUrl}/ethereum`);
    const r = await refusal(`${b.wsUrl}/ethereum`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: -32059 } });
  });
});

describe('keep-alive', () => {
  it('pings clients: one that answers stays, one that never answers a ping is cut', async () => {
    const b = await setup({ subscriptions: { pingInterval: '100ms' } }, true);
    const healthy = await connect(`${b.wsUrl}/ethereum`);
    const mute = openMuteWebSocket(b.url, '/ethereum');
    const started = Date.now();
    await mute.closed;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(await healthy.ask('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')).toMatchObject({
      result: '0x1',
    });
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_websocket_closed_total\{reason="ping_timeout"\} 1/);
  });
});

describe('lifecycle', () => {
  it('shutdown answers the frame in flight, then closes with 1001', async () => {
    const b = await setup();
    await provider.setFault({ kind: 'slow', extraMs: 300 });
    const c = await connect(`${b.wsUrl}/ethereum`);
    const answer = c.ask(
      '{"jsonrpc":"2.0","id":9,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","latest"]}',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = b.server.shutdown(5000);
    expect(await answer).toMatchObject({ id: 9, result: expect.any(String) });
    expect((await c.closed).code).toBe(1001);
    await stopping;
    balancer = undefined;
  });

  it('a reload keeps the connection and its subscription', async () => {
    const b = await setup();
    const c = await connect(`${b.wsUrl}/ethereum`);
    const sub = (await c.ask('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}')) as {
      result: string;
    };
    await new Promise((resolve) => setTimeout(resolve, 150));
    chain.advance(1);
    await waitFor(() => notifications(c).length >= 1, 3000, 'a head before the reload');
    const raw = testConfig([{ name: 'p', url: provider.url }], {
      subscriptions: { pollInterval: '30ms' },
      routing: { maxAttempts: 3 },
    });
    await b.server.reload(buildConfig(raw, 'test.yaml'));
    chain.advance(2);
    await waitFor(() => notifications(c).length >= 3, 3000, 'heads after the reload');
    expect(notifications(c).map((n) => n.params.result.number)).toEqual(['0x65', '0x66', '0x67']);
    expect(notifications(c).every((n) => n.params.subscription === sub.result)).toBe(true);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });
});
