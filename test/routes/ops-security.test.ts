// Safe defaults through real sockets: API keys (header and path segment) with per-key rate limits,
// CORS for browser wallets, the method deny list (default, custom, off, reloaded), and a scan of every
// output (logs, metrics, /status, the page, error answers) for secrets placed in an upstream URL, an
// upstream header and the client API keys.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildConfig } from '../../src/config/config.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { parseProm, sleep, total } from '../helpers/ops.js';

const URL_SECRET = 'urlsecret0a1b2c3d4e5f6789';
const HEADER_SECRET = 'headersecret9f8e7d6c5b4a';
const WALLET_KEY = 'walletkey-5Yc2Qm8Rk1Zp4';
const LIMITED_KEY = 'limitedkey-7Hs3Lw9Tn6Vb2';
const WS_SECRET = 'wssecret-3Kd8Pq2Xv7Lm1N';
const SECRETS = [URL_SECRET, HEADER_SECRET, WALLET_KEY, LIMITED_KEY, WS_SECRET];

let chain: ChainSim;
let a: FakeProvider;
let b: FakeProvider;
let balancer: TestBalancer;
/** Every response (status line, headers and body) seen by the tests, scanned for secrets at the end. */
const seen: string[] = [];

function config(overrides: { apiKeys?: unknown[]; denyMethods?: string[]; corsOrigins?: string[] } = {}) {
  return {
    server: {
      host: '127.0.0.1',
      port: 0,
      corsOrigins: overrides.corsOrigins ?? ['https://wallet.example'],
    },
    security: {
      apiKeys: overrides.apiKeys ?? [
        { name: 'wallet', key: WALLET_KEY },
        { name: 'limited', key: LIMITED_KEY, ratePerSecond: 2, burst: 3 },
      ],
      ...(overrides.denyMethods ? { denyMethods: overrides.denyMethods } : {}),
    },
    chains: [
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [
          {
            name: 'a',
            url: `${a.url}v2/${URL_SECRET}`,
            cloud: 'aws',
            region: 'us-east-1',
            provider: 'alchemy',
            headers: { authorization: `Bearer ${HEADER_SECRET}` },
          },
          {
            name: 'b',
            url: b.url,
            // b serves no WebSocket: its feed fails, and the failure is logged, without the key.
            ws: `ws://127.0.0.1:${b.port}/ws/${WS_SECRET}`,
            cloud: 'gcp',
            region: 'europe-west1',
            provider: 'quicknode',
          },
        ],
      },
    ],
  };
}

async function send(
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
  method = body === undefined ? 'GET' : 'POST',
) {
  const res = await request(`${balancer.url}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.body.text();
  seen.push(`${res.statusCode} ${JSON.stringify(res.headers)} ${text}`);
  return { status: res.statusCode, headers: res.headers, text };
}

const rpc = (method: string, params: unknown[] = [], id: number | string = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });
const BLOCK = rpc('eth_blockNumber');

async function metrics() {
  return parseProm((await send('/metrics', undefined)).text);
}

beforeAll(async () => {
  chain = new ChainSim({ chainId: 1, startBlock: 7 });
  a = await startFakeProvider({ name: 'a', chain });
  b = await startFakeProvider({ name: 'b', chain });
  balancer = await startBalancer(config(), { operations: true });
});

afterAll(async () => {
  await balancer?.close();
  await a?.close();
  await b?.close();
});

describe('API keys', () => {
  it('refuses a missing or unknown key with HTTP 401 UNAUTHORIZED', async () => {
    for (const headers of [{}, { 'x-api-key': 'not-a-key' }] as Record<string, string>[]) {
      const res = await send('/', BLOCK, headers);
      expect(res.status).toBe(401);
      const body = JSON.parse(res.text) as { id: null; error: { code: number; message: string } };
      expect(body.id).toBeNull();
      expect(body.error.code).toBe(-32055);
      expect(body.error.message).toBe('missing or unknown API key');
    }
    expect(total(await metrics(), 'switchyard_rejected_total', { reason: 'unauthorized' })).toBe(2);
  });

  it('serves a key from the x-api-key header, on / and on /<chain>', async () => {
    for (const path of ['/', '/ethereum']) {
      const res = await send(path, BLOCK, { 'x-api-key': WALLET_KEY });
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"jsonrpc":"2.0","id":1,"result":"0x7"}');
    }
  });

  it('serves a key from the path segment /<chain>/<key>, for wallets that cannot set headers', async () => {
    const ok = await send(`/ethereum/${WALLET_KEY}`, BLOCK);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('"result":"0x7"');
    expect((await send('/ethereum/wrong-key-123', BLOCK)).status).toBe(401);
    // An unknown chain with a key segment: 404 that does not echo the path (it holds a key).
    const notFound = await send(`/solana/${WALLET_KEY}`, BLOCK);
    expect(notFound.status).toBe(404);
    expect(notFound.text).not.toContain(WALLET_KEY);
    expect((await send(`/ethereum/${WALLET_KEY}/extra`, BLOCK)).status).toBe(404);
  });

  it('leaves /healthz, /readyz, /status, /metrics and /dashboard open (for orchestrators and Prometheus)', async () => {
    for (const path of ['/healthz', '/readyz', '/status', '/metrics', '/dashboard']) {
      expect((await send(path, undefined)).status, path).toBe(200);
    }
  });

  it('rate-limits per key with a token bucket: HTTP 429 RATE_LIMITED with Retry-After, then refills', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send('/', BLOCK, { 'x-api-key': LIMITED_KEY })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await send('/', BLOCK, { 'x-api-key': LIMITED_KEY });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const body = JSON.parse(limited.text) as { error: { code: number; message: string } };
    expect(body.error).toEqual({ code: -32054, message: 'rate limit exceeded' });
    // Another key is not affected.
    expect((await send('/', BLOCK, { 'x-api-key': WALLET_KEY })).status).toBe(200);
    // 2 tokens per second: one is back after 500 ms.
    await sleep(600);
    expect((await send('/', BLOCK, { 'x-api-key': LIMITED_KEY })).status).toBe(200);
    const s = await metrics();
    expect(
      total(s, 'switchyard_api_key_requests_total', { api_key: 'limited', result: 'rate_limited' }),
    ).toBe(2);
    expect(total(s, 'switchyard_api_key_requests_total', { api_key: 'limited', result: 'allowed' })).toBe(4);
    expect(total(s, 'switchyard_rejected_total', { reason: 'rate_limited' })).toBe(2);
  });

  it('applies changed keys on reload; with no keys configured, no key is needed', async () => {
    await balancer.server.reload(
      buildConfig(config({ apiKeys: [{ name: 'rotated', key: 'rotatedkey-1234567' }] }), 'test.yaml'),
    );
    expect((await send('/', BLOCK, { 'x-api-key': WALLET_KEY })).status).toBe(401);
    expect((await send('/', BLOCK, { 'x-api-key': 'rotatedkey-1234567' })).status).toBe(200);
    await balancer.server.reload(buildConfig(config({ apiKeys: [] }), 'test.yaml'));
    expect((await send('/', BLOCK)).status).toBe(200);
    await balancer.server.reload(buildConfig(config(), 'test.yaml'));
    expect((await send('/', BLOCK)).status).toBe(401);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    send(
      '/',
      undefined,
      {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      },
      'OPTIONS',
    );

  it('answers a preflight from an allowed origin with 204 and the allowed method and headers', async () => {
    const res = await preflight('https://wallet.example');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://wallet.example');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toContain('x-api-key');
    expect(res.headers['access-control-allow-headers']).toContain('content-type');
    expect(res.headers.vary).toContain('origin');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives no CORS grant to an origin not on the list', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const post = await send('/', BLOCK, { origin: 'https://evil.example', 'x-api-key': WALLET_KEY });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds the grant to answers, errors included, and exposes the upstream and retry headers', async () => {
    const ok = await send('/', BLOCK, { origin: 'https://wallet.example', 'x-api-key': WALLET_KEY });
    expect(ok.headers['access-control-allow-origin']).toBe('https://wallet.example');
    expect(ok.headers['access-control-expose-headers']).toContain('x-switchyard-upstream');
    const denied = await send('/', BLOCK, { origin: 'https://wallet.example' });
    expect(denied.status).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://wallet.example');
  });

  it("allows any origin with '*', and sends nothing when the list is empty (the default)", async () => {
    await balancer.server.reload(buildConfig(config({ corsOrigins: ['*'] }), 'test.yaml'));
    const any = await preflight('https://anything.example');
    expect(any.headers['access-control-allow-origin']).toBe('*');
    await balancer.server.reload(buildConfig(config({ corsOrigins: [] }), 'test.yaml'));
    const none = await preflight('https://wallet.example');
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    expect(none.status).not.toBe(204); // no CORS configured: OPTIONS is not special
    await balancer.server.reload(buildConfig(config(), 'test.yaml'));
  });
});

describe('method deny list', () => {
  const headers = { 'x-api-key': WALLET_KEY };
  const upstreamCalls = (method: string) =>
    (a.stats.byMethod.get(method) ?? 0) + (b.stats.byMethod.get(method) ?? 0);

  it('refuses admin_, debug_, personal_, miner_, txpool_ and engine_ methods by default, upstream never sees them', async () => {
    for (const method of [
      'admin_peers',
      'debug_traceTransaction',
      'personal_sign',
      'miner_start',
      'txpool_content',
      'engine_getPayloadV3',
    ]) {
      const res = await send('/', rpc(method, [], 9), headers);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text) as { id: number; error: { code: number; message: string } };
      expect(body.id).toBe(9);
      expect(body.error.code).toBe(-32053);
      expect(body.error.message).toContain(method);
      expect(upstreamCalls(method)).toBe(0);
    }
  });

  it('refuses only the denied element of a batch', async () => {
    const res = await send('/', `[${rpc('eth_chainId', [], 1)},${rpc('debug_getRawBlock', [], 2)}]`, headers);
    const parts = JSON.parse(res.text) as { id: number; result?: string; error?: { code: number } }[];
    expect(parts[0]).toMatchObject({ id: 1, result: '0x1' });
    expect(parts[1]!.error!.code).toBe(-32053);
  });

  it('is configurable: a custom list replaces the default, an empty list turns it off (applied on reload)', async () => {
    await balancer.server.reload(buildConfig(config({ denyMethods: ['eth_sign', 'foo_*'] }), 'test.yaml'));
    expect((await send('/', rpc('eth_sign'), headers)).text).toContain('-32053');
    expect((await send('/', rpc('foo_bar'), headers)).text).toContain('-32053');
    const before = upstreamCalls('admin_peers');
    const passed = await send('/', rpc('admin_peers'), headers);
    expect(passed.text).not.toContain('-32053');
    expect(upstreamCalls('admin_peers')).toBeGreaterThan(before); // unsupported there: tried on both
    await balancer.server.reload(buildConfig(config({ denyMethods: [] }), 'test.yaml'));
    expect((await send('/', rpc('debug_traceTransaction', ['0x00']), headers)).text).not.toContain('-32053');
    await balancer.server.reload(buildConfig(config(), 'test.yaml'));
    expect((await send('/', rpc('admin_peers'), headers)).text).toContain('-32053');
  });
});

describe('secrets', () => {
  it('never appear in logs, metrics, /status, the page or error answers', async () => {
    const headers = { 'x-api-key': WALLET_KEY };
    // Failures that produce error answers with attempt details and log lines.
    await a.setFault({ kind: 'refuse' });
    await b.setFault({ kind: 'http_status', status: 503 });
    for (let i = 0; i < 6; i++) await send('/', rpc('eth_getBalance', ['0x01', 'latest'], i), headers);
    await a.setFault({ kind: 'none' });
    await b.setFault({ kind: 'none' });
    await send(`/ethereum/${LIMITED_KEY}`, BLOCK);
    await send(`/nope/${WALLET_KEY}`, BLOCK);
    await send('/', '{"jsonrpc":"2.0","id":1,"method":', headers);
    // A subscriber starts the feed, whose WebSocket to b fails (a log line and /status show it).
    const client = new WebSocket(`${balancer.url.replace('http', 'ws')}/ethereum/${WALLET_KEY}`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}');
    await sleep(300);
    const statusWhileSubscribed = (await send('/status', undefined)).text;
    client.close();
    const surfaces = {
      statusWhileSubscribed,
      logs: balancer.logs.join('\n'),
      metrics: (await send('/metrics', undefined)).text,
      status: (await send('/status', undefined)).text,
      dashboard: (await send('/dashboard', undefined)).text,
      answers: seen.join('\n'),
    };
    // The failures above were seen (so the surfaces are not trivially empty).
    expect(surfaces.answers).toContain('-32051');
    expect(surfaces.logs.length).toBeGreaterThan(0);
    expect(surfaces.status).toContain('"name":"a"');
    expect(surfaces.logs).toContain('subscription feed down');
    expect(surfaces.status).toContain('"ws":"ws://127.0.0.1');
    for (const [where, text] of Object.entries(surfaces)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  });
});
