// Small helpers for answering over node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../src/log/logger.js';
import { catalogueError, ERRORS, type ErrorName } from '../src/rpc/errors.js';
import { errorResponse } from '../src/rpc/jsonrpc.js';
import { endInBatch } from './answer-batch.js';

/** A JSON answer; `headers` are extra ones (content type and length are set here). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers?: Readonly<Record<string, string>>,
): void {
  // A flat name/value list: node:http writes it as it is, with no header object built and walked.
  const list = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
  if (headers) for (const name in headers) list.push(name, headers[name]!);
  res.writeHead(status, list);
  endInBatch(res, body);
}

/** A whole-answer protocol error: JSON-RPC error object with id null and the catalogue's HTTP status. */
export function sendCatalogueError(res: ServerResponse, name: ErrorName, detail?: string): void {
  sendJson(res, ERRORS[name].httpStatus, errorResponse('null', catalogueError(name, detail)));
}

/** A bug inside the balancer: logged, and the client still gets an answer (or a closed socket). */
export function answerInternalError(logger: Logger, res: ServerResponse, err: unknown): void {
  logger.error('request handler failed', { error: String(err) });
  if (!res.headersSent) sendCatalogueError(res, 'INTERNAL');
  else res.destroy();
}

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; tooLarge: true }
  | { ok: false; tooLarge: false };

/** Reads the request body into memory (needed to retry elsewhere), refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => readBodyThen(req, limit, resolve));
}

/** `readBody` for the hot path: the result goes to `done` (exactly once), no promise in between. */
export function readBodyThen(req: IncomingMessage, limit: number, done: (body: BodyResult) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done({ ok: false, tooLarge: true });
    return;
  }
  // Most bodies arrive in one chunk: decoded as it is, without an array and a copy.
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      settled = true;
      done({ ok: false, tooLarge: true });
      return;
    }
    if (first === undefined) first = chunk;
    else if (more === undefined) more = [first, chunk];
    else more.push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    const text = more ? Buffer.concat(more, size).toString('utf8') : (first?.toString('utf8') ?? '');
    done({ ok: true, text });
  });
  req.on('error', () => {
    if (settled) return;
    settled = true;
    done({ ok: false, tooLarge: false });
  });
}
