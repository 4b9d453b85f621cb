// UpstreamClient over real sockets: replies read whole off undici's dispatch interface, transport
// failures and deadlines as AttemptEnds, and an aborted request that never leaves the queue.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { evmFamily } from '../../src/families/evm/index.js';
import { classify } from '../../src/routing/classify.js';
import { UpstreamClient } from '../../src/routing/upstream-client.js';

const servers: Server[] = [];
const clients: UpstreamClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(url: string, maxConnections = 4): UpstreamClient {
  const c = new UpstreamClient({
    url,
    headers: {},
    maxConnections,
    connectTimeoutMs: 1000,
    ioTimeoutMs: 5000,
  });
  clients.push(c);
  return c;
}

const BODY = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}';

describe('UpstreamClient', () => {
  it('returns status, headers and a body sent in several chunks, and sends the body and auth it was given', async () => {
    let seen: { body: string; auth: string | undefined; type: string | undefined } | undefined;
    const url = await serve((req, res, body) => {
      seen = { body, auth: req.headers.authorization, type: req.headers['content-type'] };
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.write('{"jsonrpc":"2.0","id":1,');
      setTimeout(() => res.end('"result":"0x10"}'), 20);
    });
    const end = await client(url.replace('http://', 'http://user:p%40ss@')).send(BODY, undefined, 2000);
    expect(end).toMatchObject({
      kind: 'reply',
      status: 429,
      body: '{"jsonrpc":"2.0","id":1,"result":"0x10"}',
    });
    expect(end.kind === 'reply' && end.headers['retry-after']).toBe('3');
    expect(seen).toEqual({
      body: BODY,
      auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
      type: 'application/json',
    });
    expect(classify('eth_blockNumber', end, Date.now(), evmFamily)).toMatchObject({
      outcome: 'throttled',
      retryAfterMs: 3000,
    });
  });

  it('reports a refused connection as a transport failure that provably sent nothing', async () => {
    const url = await serve((_req, res) => res.end());
    const port = new URL(url).port;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const end = await client(`http://127.0.0.1:${port}`).send(BODY, undefined, 1000);
    expect(end.kind).toBe('transport');
    expect(classify('eth_blockNumber', end, Date.now(), evmFamily)).toMatchObject({
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    });
  });

  it('ends a hung request at its header deadline', async () => {
    const url = await serve(() => {});
    const end = await client(url).send(BODY, undefined, 100);
    expect(classify('eth_blockNumber', end, Date.now(), evmFamily)).toMatchObject({ outcome: 'timeout' });
  });

  it('answers an aborted request at once, as timed out or cancelled after the signal reason', async () => {
    const url = await serve(() => {});
    const c = client(url);
    for (const reason of ['timeout', 'cancelled'] as const) {
      const controller = new AbortController();
      const sent = c.send(BODY, controller.signal);
      setTimeout(() => controller.abort(reason), 30);
      const end = await sent;
      expect(end).toMatchObject({
        kind: 'transport',
        timedOut: reason === 'timeout',
        cancelled: reason === 'cancelled',
      });
    }
  });

  it('never sends a request that was aborted while it waited for a connection', async () => {
    let received = 0;
    let release: (() => void) | undefined;
    const url = await serve((_req, res) => {
      received++;
      release = () => res.end('{"jsonrpc":"2.0","id":1,"result":"0x1"}');
    });
    const c = client(url, 1);
    const first = c.send(BODY, undefined, 2000);
    await expect.poll(() => received).toBe(1);
    const controller = new AbortController();
    const queued = c.send(BODY, controller.signal);
    controller.abort('cancelled');
    expect(await queued).toMatchObject({ kind: 'transport', cancelled: true });
    release!();
    expect(await first).toMatchObject({ kind: 'reply', status: 200 });
    // The connection is free again: a third request goes out, the aborted one never did.
    const third = c.send(BODY, undefined, 2000);
    await expect.poll(() => received).toBe(2);
    release!();
    expect(await third).toMatchObject({ kind: 'reply', status: 200 });
    expect(received).toBe(2);
  });

  it('answers a signal that was aborted before the call without sending anything', async () => {
    let received = 0;
    const url = await serve((_req, res) => {
      received++;
      res.end('{}');
    });
    const end = await client(url).send(BODY, AbortSignal.abort('timeout'));
    expect(end).toMatchObject({ kind: 'transport', timedOut: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toBe(0);
  });
});
