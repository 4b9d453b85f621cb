// createSwitchyard honours `server.opsListen` and `tracing` as the CLI does: the operator routes on
// their own listener (real sockets: /status, /metrics, /dashboard, /admin/*, the probes; no JSON-RPC
// there), and spans exported to an OTLP/HTTP receiver started here, with a child span per attempt.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchyard, type Switchyard } from '../../src/library/create-switchyard.js';
import { nullObserver, type Observer } from '../../src/routing/observer.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { parseProm, total } from '../helpers/ops.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';

const ADMIN_KEY = 'admin-key-library-ops-test';

let provider: FakeProvider;
const receiver = new OtlpReceiver();
const opened: Switchyard[] = [];

const configWith = (extra: Record<string, unknown>) => ({
  security: { adminKeys: [ADMIN_KEY] },
  chains: [
    {
      name: 'ethereum',
      chainId: 1,
      upstreams: [{ name: 'p', url: provider.url, cloud: 'aws', region: 'us-east-1', provider: 'alchemy' }],
    },
  ],
  ...extra,
});

async function open(extra: Record<string, unknown>, observer?: Observer): Promise<Switchyard> {
  const sy = await createSwitchyard(configWith(extra), observer ? { observer } : {});
  opened.push(sy);
  return sy;
}

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, text: await res.body.text() };
}

beforeAll(async () => {
  provider = await startFakeProvider({ name: 'p', chain: new ChainSim({ chainId: 1, startBlock: 42 }) });
  await receiver.start();
});

afterAll(async () => {
  await Promise.all(opened.map((sy) => sy.close()));
  await Promise.all([provider.close(), receiver.close()]);
});

describe('createSwitchyard with server.opsListen', () => {
  it('serves the operator routes and the probes on that port, and no JSON-RPC there', async () => {
    const requests: string[] = [];
    const sy = await open(
      { server: { opsListen: '127.0.0.1:0' } },
      { ...nullObserver, request: (chain, method) => requests.push(`${chain} ${method}`) },
    );
    const port = sy.opsAddress?.port;
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;

    expect(await sy.request('ethereum', { method: 'eth_blockNumber' })).toBe('0x2a');
    // The caller's own observer still hears of every call, beside the metrics'.
    expect(requests).toContain('ethereum eth_blockNumber');

    const status = await get(base, '/status');
    expect(status.status).toBe(200);
    const doc = JSON.parse(status.text);
    expect(doc.chains[0].name).toBe('ethereum');
    expect(doc.chains[0].upstreams[0].name).toBe('p');
    const metrics = await get(base, '/metrics');
    expect(metrics.status).toBe(200);
    expect(
      total(parseProm(metrics.text), 'switchyard_requests_total', { chain: 'ethereum' }),
    ).toBeGreaterThanOrEqual(1);
    expect((await get(base, '/dashboard')).status).toBe(200);
    expect((await get(base, '/admin/cordons', { 'x-admin-key': ADMIN_KEY })).status).toBe(200);
    expect((await get(base, '/admin/cordons')).status).toBe(401);
    expect((await get(base, '/healthz')).status).toBe(200);
    expect((await get(base, '/readyz')).status).toBe(200);

    // The operator port is not a JSON-RPC port (the library has none: calls go through request()).
    const rpc = await request(`${base}/ethereum`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
    });
    expect(rpc.statusCode).toBe(404);
    expect(await rpc.body.text()).toContain('no such route');

    await sy.close();
    expect(sy.opsAddress).toBeUndefined();
    await expect(get(base, '/healthz')).rejects.toThrow();
  });

  it('fails to start, releasing what it opened, when the port is taken', async () => {
    const first = await open({ server: { opsListen: '127.0.0.1:0' } });
    const taken = first.opsAddress!.port;
    await expect(open({ server: { opsListen: `127.0.0.1:${taken}` } })).rejects.toThrow(/EADDRINUSE/);
  });

  it('without it listens nowhere', async () => {
    const listeners = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const before = listeners();
    const sy = await open({});
    expect(sy.opsAddress).toBeUndefined();
    expect(listeners()).toBeLessThanOrEqual(before);
    expect(await sy.request('ethereum', { method: 'eth_chainId' })).toBe('0x1');
  });
});

describe('createSwitchyard with tracing', () => {
  it('exports a span per call with a child span per attempt to <otlp>/v1/traces', async () => {
    const sy = await open({ tracing: { otlp: receiver.url, sampleRate: 1, serviceName: 'sy-library' } });
    expect(
      await sy.request('ethereum', { method: 'eth_getBalance', params: [`0x${'11'.repeat(20)}`, 'latest'] }),
    ).toMatch(/^0x/);
    // close() exports what is still buffered.
    await sy.close();
    const call = receiver.spans.find((s) => s.kind === 2 && s.name === 'eth_getBalance');
    expect(call, JSON.stringify(receiver.spans)).toBeDefined();
    expect(call!.service).toBe('sy-library');
    expect(call!.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'eth_getBalance',
      'switchyard.chain': 'ethereum',
      'switchyard.transport': 'library',
      'switchyard.upstream': 'p',
    });
    const attempts = await receiver.trace(call!.traceId, 2);
    const attempt = attempts.find((s) => s.kind === 3);
    expect(attempt?.parentSpanId).toBe(call!.spanId);
    expect(attempt!.attributes).toMatchObject({ 'switchyard.upstream': 'p', 'switchyard.outcome': 'ok' });
    expect(receiver.paths.every((p) => p.startsWith('POST /v1/traces'))).toBe(true);
  });
});
