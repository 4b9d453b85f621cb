// The one catalogue of errors Switchyard itself answers with. Codes are stable: operators and clients
// branch on them. Every entry is documented in README.md ("Errors"), and a test holds them in step.
import { errorObject } from './jsonrpc.js';

export interface CatalogueEntry {
  /** JSON-RPC error code in the answer. */
  rpcCode: number;
  /** HTTP status when this error is the whole answer (single request or protocol error). */
  httpStatus: number;
  message: string;
}

export const ERRORS = {
  PARSE_ERROR: { rpcCode: -32700, httpStatus: 200, message: 'parse error: body is not valid JSON' },
  INVALID_REQUEST: { rpcCode: -32600, httpStatus: 200, message: 'invalid request' },
  EMPTY_BATCH: { rpcCode: -32600, httpStatus: 200, message: 'invalid request: empty batch' },
  BODY_TOO_LARGE: { rpcCode: -32600, httpStatus: 413, message: 'request body too large' },
  BATCH_TOO_LARGE: { rpcCode: -32600, httpStatus: 413, message: 'batch too large' },
  NOT_FOUND: { rpcCode: -32601, httpStatus: 404, message: 'no such route' },
  METHOD_NOT_ALLOWED: { rpcCode: -32600, httpStatus: 405, message: 'use POST for JSON-RPC' },
  NO_UPSTREAM: { rpcCode: -32050, httpStatus: 200, message: 'no upstream available' },
  UPSTREAMS_FAILED: { rpcCode: -32051, httpStatus: 200, message: 'all upstream attempts failed' },
  DEADLINE_EXCEEDED: { rpcCode: -32052, httpStatus: 200, message: 'request deadline exceeded' },
  METHOD_DENIED: { rpcCode: -32053, httpStatus: 200, message: 'method not allowed on this endpoint' },
  RATE_LIMITED: { rpcCode: -32054, httpStatus: 429, message: 'rate limit exceeded' },
  UNAUTHORIZED: { rpcCode: -32055, httpStatus: 401, message: 'missing or unknown API key' },
  TX_OUTCOME_UNKNOWN: {
    rpcCode: -32056,
    httpStatus: 200,
    message: 'transaction may have been accepted: check it by hash before resending',
  },
  SHUTTING_DOWN: { rpcCode: -32057, httpStatus: 503, message: 'server is shutting down' },
  INVALID_PARAMS: { rpcCode: -32602, httpStatus: 200, message: 'invalid params' },
  NOTIFICATIONS_UNSUPPORTED: {
    rpcCode: -32601,
    httpStatus: 200,
    message: 'notifications not supported: subscribe over a WebSocket (ws://host/<chain>)',
  },
  SUBSCRIPTION_LIMIT: {
    rpcCode: -32058,
    httpStatus: 200,
    message: 'too many subscriptions on this connection',
  },
  CONNECTION_LIMIT: { rpcCode: -32059, httpStatus: 503, message: 'too many WebSocket connections' },
  ORIGIN_NOT_ALLOWED: {
    rpcCode: -32060,
    httpStatus: 403,
    message: 'origin not allowed (server.corsOrigins)',
  },
  OVERLOADED: {
    rpcCode: -32061,
    httpStatus: 503,
    message: 'overloaded: too many calls in flight, retry after a moment',
  },
  ADMIN_UNAUTHORIZED: { rpcCode: -32062, httpStatus: 401, message: 'missing or unknown admin key' },
  INVALID_CORDON: { rpcCode: -32063, httpStatus: 400, message: 'invalid cordon request' },
  CORDON_NOT_FOUND: { rpcCode: -32064, httpStatus: 404, message: 'no cordon on that target' },
  UNVERIFIED: {
    rpcCode: -32070,
    httpStatus: 200,
    message: 'answer could not be verified (x-switchyard-verify / chains[].verify)',
  },
  FILTER_NOT_FOUND: { rpcCode: -32000, httpStatus: 200, message: 'filter not found' },
  INTERNAL: { rpcCode: -32603, httpStatus: 500, message: 'internal error' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorName = keyof typeof ERRORS;

/** A JSON-RPC error object for a catalogue entry; `detail` extends the message, `data` is optional. */
export function catalogueError(name: ErrorName, detail?: string, data?: unknown): string {
  const entry = ERRORS[name];
  return errorObject(entry.rpcCode, detail ? `${entry.message}: ${detail}` : entry.message, data);
}
