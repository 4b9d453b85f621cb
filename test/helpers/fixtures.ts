// Reads the recorded execution-apis exchanges (../shared/fixtures/execution-apis) and serves them
// back from a fake upstream that answers each recorded request with its recorded response.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { objectMembers } from '../../src/rpc/json-raw.js';

export interface Exchange {
  file: string;
  request: string;
  response: string;
}

const FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/execution-apis/', import.meta.url));

export function loadExchanges(): Exchange[] {
  const out: Exchange[] = [];
  for (const dir of readdirSync(FIXTURE_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(`${FIXTURE_DIR}${dir.name}`)) {
      if (!file.endsWith('.io')) continue;
      const lines = readFileSync(`${FIXTURE_DIR}${dir.name}/${file}`, 'utf8').split('\n');
      let pending: string | undefined;
      for (const line of lines) {
        if (line.startsWith('>> ')) pending = line.slice(3);
        else if (line.startsWith('<< ') && pending !== undefined) {
          out.push({ file: `${dir.name}/${file}`, request: pending, response: line.slice(3) });
          pending = undefined;
        }
      }
    }
  }
  return out;
}

/** method + canonical params: how the replaying upstream finds the recorded answer. */
export function exchangeKey(requestText: string): string {
  const r = JSON.parse(requestText) as { method: string; params?: unknown };
  return `${r.method} ${JSON.stringify(r.params ?? null)}`;
}

/** Replaces the raw id member of a JSON-RPC object with `idRaw`, leaving every other byte alone. */
export function withId(text: string, idRaw: string): string {
  const id = objectMembers(text)!.find((m) => m.key === 'id')!;
  return `${text.slice(0, id.start)}${idRaw}${text.slice(id.end)}`;
}

export function rawId(text: string): string {
  const id = objectMembers(text)!.find((m) => m.key === 'id')!;
  return text.slice(id.start, id.end);
}

/** An upstream that answers recorded requests (singles only: the balancer never batches upstream). */
export async function startReplayUpstream(
  exchanges: Exchange[],
): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const byKey = new Map<string, string>();
  for (const e of exchanges) byKey.set(exchangeKey(e.request), e.response);
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      state.requests++;
      const recorded = byKey.get(exchangeKey(text));
      const body = recorded
        ? withId(recorded, rawId(text))
        : `{"jsonrpc":"2.0","id":${rawId(text)},"error":{"code":-32601,"message":"not recorded"}}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
