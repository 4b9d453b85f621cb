// A fault-injecting front end for a real node (anvil) on a free loopback port: forwards JSON-RPC calls,
// or, per call, answers itself, resets the connection before or after forwarding, or delays. Lets one
// node appear as several upstreams in different failure domains, each failing in its own way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

interface FrontCall {
  method: string;
  params: unknown[];
}

type FrontAction =
  | { kind: 'forward'; delayMs?: number }
  /** Forward, let the node act on it, then cut the connection instead of answering. */
  | { kind: 'forward-then-reset' }
  /** Cut the connection without forwarding: the node never sees the call. */
  | { kind: 'reset' }
  /** Forward, then answer with the node's result changed by `change` (a lying provider). */
  | { kind: 'rewrite'; change: (result: unknown) => unknown; delayMs?: number }
  /** Answer with this HTTP status, body and headers; the node never sees the call. */
  | { kind: 'reply'; status?: number; body: unknown; headers?: Record<string, string> };

export interface Front {
  url: string;
  /** Calls received, by method (every call, whatever the action). */
  counts: Map<string, number>;
  /** Every call received, in order, with its arrival time (ms, performance.now()). */
  calls: (FrontCall & { atMs: number })[];
  count(method: string): number;
  close(): Promise<void>;
}

export type FrontRule = (call: FrontCall) => FrontAction | undefined;

async function forward(target: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, text: await res.text() };
}

export async function startFront(target: string, rule: FrontRule = () => undefined): Promise<Front> {
  const counts = new Map<string, number>();
  const calls: Front['calls'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      void (async () => {
        const parsed = JSON.parse(body) as { id?: unknown; method?: string; params?: unknown[] };
        const call: FrontCall = { method: parsed.method ?? '', params: parsed.params ?? [] };
        counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
        calls.push({ ...call, atMs: performance.now() });
        const action = rule(call) ?? { kind: 'forward' };
        if (action.kind === 'reset') {
          req.socket.resetAndDestroy();
          return;
        }
        if (action.kind === 'reply') {
          const text = JSON.stringify({ jsonrpc: '2.0', id: parsed.id ?? null, ...(action.body as object) });
          res.writeHead(action.status ?? 200, { 'content-type': 'application/json', ...action.headers });
          res.end(text);
          return;
        }
        if ((action.kind === 'forward' || action.kind === 'rewrite') && action.delayMs)
          await new Promise((resolve) => setTimeout(resolve, action.delayMs));
        const answer = await forward(target, body).catch(() => undefined);
        if (!answer || action.kind === 'forward-then-reset') {
          req.socket.resetAndDestroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        if (action.kind !== 'rewrite') {
          res.end(answer.text);
          return;
        }
        const reply = JSON.parse(answer.text) as { result?: unknown };
        res.end(
          JSON.stringify('result' in reply ? { ...reply, result: action.change(reply.result) } : reply),
        );
      })();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    calls,
    count: (method) => counts.get(method) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` every few ms until it holds, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
