// JSON-RPC 2.0 envelopes (and a Bitcoin chain's 1.0/1.1 requests): parse client bodies, build upstream
// requests, read upstream replies and write answers. Ids, results and error objects travel as raw JSON
// text, never re-serialised. 1.0/1.1 answers are written by legacy-envelope.ts.
import { arrayElements, objectMembers, type RawMember } from './json-raw.js';

/** Raw JSON text of a client id: `1`, `"abc"`, `12345678901234567890`, `null`. */
export type RawId = string;

export interface RpcCall {
  /** undefined for a notification (no id member): it gets no answer. */
  id: RawId | undefined;
  method: string;
  params: unknown;
  /** Raw params text, forwarded as sent; undefined when the client sent no params. */
  paramsRaw: string | undefined;
}

/**
 * `legacy`: the request came as JSON-RPC 1.0/1.1 (Bitcoin Core's default: no "jsonrpc", null or "1.0")
 * and is answered in that envelope (`legacy-envelope.ts`). Absent for 2.0, so a 2.0 item keeps its shape.
 */
export type ParsedItem =
  | { kind: 'call'; call: RpcCall; legacy?: true }
  | { kind: 'invalid'; id: RawId; message: string; legacy?: true };

export type ParsedBody =
  | { kind: 'single'; item: ParsedItem }
  | { kind: 'batch'; items: ParsedItem[] }
  | { kind: 'parse_error'; message: string }
  | { kind: 'empty_batch' };

export type UpstreamReply =
  | { kind: 'result'; raw: string; value: unknown }
  | { kind: 'error'; raw: string; code: number | undefined; message: string; data: unknown }
  | { kind: 'malformed'; reason: string };

function member(members: RawMember[], key: string): RawMember | undefined {
  // JSON.parse keeps the last duplicate key; do the same.
  for (let i = members.length - 1; i >= 0; i--) if (members[i]!.key === key) return members[i];
  return undefined;
}

/** Envelopes a chain accepts from clients: '2.0', or also bitcoin-cli's "1.0" / none (Bitcoin Core). */
export type ClientEnvelope = '2.0' | 'bitcoin';

function parseItem(
  text: string,
  start: number,
  end: number,
  value: unknown,
  envelope: ClientEnvelope,
): ParsedItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: 'null', message: 'request must be a JSON object' };
  }
  const members = objectMembers(text, start, end)!;
  const idMember = member(members, 'id');
  const idRaw = idMember ? text.slice(idMember.start, idMember.end) : undefined;
  const obj = value as Record<string, unknown>;
  const idValue = obj.id;
  const idValid =
    idMember === undefined || idValue === null || typeof idValue === 'string' || typeof idValue === 'number';
  const replyId = idValid && idRaw !== undefined ? idRaw : 'null';
  if (obj.jsonrpc !== '2.0') {
    if (envelope === 'bitcoin') return parseLegacyItem(text, members, obj, idValid ? idRaw : null);
    if (!idValid) return { kind: 'invalid', id: 'null', message: 'id must be a string, number or null' };
    return { kind: 'invalid', id: replyId, message: 'jsonrpc must be "2.0"' };
  }
  if (!idValid) return { kind: 'invalid', id: 'null', message: 'id must be a string, number or null' };
  if (typeof obj.method !== 'string' || obj.method.length === 0) {
    return { kind: 'invalid', id: replyId, message: 'method must be a non-empty string' };
  }
  const paramsMember = member(members, 'params');
  if (paramsMember && (typeof obj.params !== 'object' || obj.params === null)) {
    return { kind: 'invalid', id: replyId, message: 'params must be an array or an object' };
  }
  return {
    kind: 'call',
    call: {
      id: idRaw,
      method: obj.method,
      params: obj.params,
      paramsRaw: paramsMember ? text.slice(paramsMember.start, paramsMember.end) : undefined,
    },
  };
}

/**
 * A Bitcoin chain's request without "jsonrpc":"2.0", read as Bitcoin Core's JSONRPCRequest::parse does:
 * "jsonrpc" absent, null or "1.0" is 1.0/1.1, any other value is refused; params may be null (none).
 * Not a notification without an id: Core answers it, with no `id` member. `idRaw` null: an invalid id.
 */
function parseLegacyItem(
  text: string,
  members: RawMember[],
  obj: Record<string, unknown>,
  idRaw: string | undefined | null,
): ParsedItem {
  const version = obj.jsonrpc;
  const replyId = idRaw ?? 'null';
  const refuse = (message: string): ParsedItem => ({ kind: 'invalid', id: replyId, message, legacy: true });
  if (idRaw === null) return refuse('id must be a string, number or null');
  if (version !== undefined && version !== null && version !== '1.0')
    return refuse(
      typeof version === 'string' ? 'JSON-RPC version not supported' : 'jsonrpc must be a string',
    );
  if (typeof obj.method !== 'string' || obj.method.length === 0)
    return refuse('method must be a non-empty string');
  const paramsMember = obj.params === null ? undefined : member(members, 'params');
  if (paramsMember && typeof obj.params !== 'object') return refuse('params must be an array or an object');
  return {
    kind: 'call',
    call: {
      id: idRaw,
      method: obj.method,
      params: paramsMember ? obj.params : undefined,
      paramsRaw: paramsMember ? text.slice(paramsMember.start, paramsMember.end) : undefined,
    },
    legacy: true,
  };
}

export function parseRequestBody(text: string, envelope: ClientEnvelope = '2.0'): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'parse_error', message: (err as Error).message };
  }
  if (!Array.isArray(value))
    return { kind: 'single', item: parseItem(text, 0, text.length, value, envelope) };
  if (value.length === 0) return { kind: 'empty_batch' };
  const spans = arrayElements(text)!;
  return {
    kind: 'batch',
    items: spans.map((span, i) => parseItem(text, span.start, span.end, value[i], envelope)),
  };
}

export function upstreamRequestBody(call: RpcCall, upstreamId: number): string {
  const params = call.paramsRaw === undefined ? '' : `,"params":${call.paramsRaw}`;
  return `{"jsonrpc":"2.0","id":${upstreamId},"method":${JSON.stringify(call.method)}${params}}`;
}

export function parseUpstreamReply(text: string): UpstreamReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: text.length === 0 ? 'empty body' : 'body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'reply is not a JSON-RPC object' };
  }
  const members = objectMembers(text)!;
  const error = member(members, 'error');
  const obj = value as Record<string, unknown>;
  if (error && obj.error !== null) {
    const e = obj.error as Record<string, unknown> | undefined;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      return { kind: 'malformed', reason: 'error is not an object' };
    }
    return {
      kind: 'error',
      raw: text.slice(error.start, error.end),
      code: typeof e.code === 'number' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : '',
      data: e.data,
    };
  }
  const result = member(members, 'result');
  if (!result) return { kind: 'malformed', reason: 'reply has neither result nor error' };
  return { kind: 'result', raw: text.slice(result.start, result.end), value: obj.result };
}

export function resultResponse(id: RawId, resultRaw: string): string {
  return `{"jsonrpc":"2.0","id":${id},"result":${resultRaw}}`;
}

export function errorResponse(id: RawId, errorRaw: string): string {
  return `{"jsonrpc":"2.0","id":${id},"error":${errorRaw}}`;
}

export function errorObject(code: number, message: string, data?: unknown): string {
  const tail = data === undefined ? '' : `,"data":${JSON.stringify(data)}`;
  return `{"code":${code},"message":${JSON.stringify(message)}${tail}}`;
}

export function batchResponse(parts: string[]): string {
  return `[${parts.join(',')}]`;
}
