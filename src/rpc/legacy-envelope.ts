// JSON-RPC 1.0/1.1 answers as Bitcoin Core writes them (src/rpc/request.cpp JSONRPCReplyObj): no
// "jsonrpc" member, `result` and `error` both present (the unused one null), and `id` only when the
// request had one. A single failed call is the whole answer with an HTTP error status
// (src/httprpc.cpp JSONErrorReply): 400 for -32600, 404 for -32601, 500 for anything else. A batch is
// always HTTP 200, each element in the envelope it came in.
import type { RawId } from './jsonrpc.js';

const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;

function idTail(id: RawId | undefined): string {
  return id === undefined ? '' : `,"id":${id}`;
}

export function legacyResultResponse(id: RawId | undefined, resultRaw: string): string {
  return `{"result":${resultRaw},"error":null${idTail(id)}}`;
}

export function legacyErrorResponse(id: RawId | undefined, errorRaw: string): string {
  return `{"result":null,"error":${errorRaw}${idTail(id)}}`;
}

/** Bitcoin Core's HTTP status for a legacy error that is the whole answer, by its JSON-RPC code. */
export function legacyErrorStatus(code: number | undefined): number {
  if (code === INVALID_REQUEST) return 400;
  if (code === METHOD_NOT_FOUND) return 404;
  return 500;
}

/** The `code` of a raw error object (an upstream's, passed through as text). */
export function errorCodeOf(errorRaw: string): number | undefined {
  try {
    const code = (JSON.parse(errorRaw) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
