// Small helpers for answering over node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endInBatch } from './answer-batch.js';
import { catalogueError, ERRORS, type ErrorName } from './errors.js';
import { errorResponse } from './jsonrpc.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  endInBatch(res, body);
}

/** A whole-answer protocol error: JSON-RPC error object with id null and the catalogue's HTTP status. */
export function sendCatalogueError(res: ServerResponse, name: ErrorName, detail?: string): void {
  sendJson(res, ERRORS[name].httpStatus, errorResponse('null', catalogueError(name, detail)));
}

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; tooLarge: true }
  | { ok: false; tooLarge: false };

/** Reads the request body into memory (needed to retry elsewhere), refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    });
    req.on('error', () => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, tooLarge: false });
    });
  });
}
