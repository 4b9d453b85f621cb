// Bitcoin Core's reply envelopes, read into the project's UpstreamReply. Before v28 (and for requests
// not marked "jsonrpc":"2.0" since) Core speaks JSON-RPC 1.0: `result` and `error` are both present,
// `error` is null on success, and an error comes with HTTP 500 (404 for an unknown method, 400 for an
// invalid request). v28 answers requests marked 2.0 strictly: one of result/error, HTTP 200.
// (doc/release-notes-27101.md; src/httprpc.cpp JSONErrorReply.)
import { errorObject, parseUpstreamReply, type UpstreamReply } from '../../rpc/jsonrpc.js';
import type { FamilyReply } from '../family.js';
import { isRecord } from '../params.js';

/** Statuses Core's 1.0 server pairs with a JSON-RPC error body: the node answering, not HTTP failing. */
const ENVELOPE_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 404, 500]);

/**
 * Both envelopes as one UpstreamReply: a result (error null or absent), or the error object. Very old
 * nodes put a bare string in `error` ({"result":"","error":"bitcoin address not found"}): read as an
 * RPC_MISC_ERROR (-1). The HTTP status does not change what the body says; see bitcoinReplyStatus.
 */
export function parseBitcoinReply(text: string, status: number): UpstreamReply {
  const reply = parseUpstreamReply(text);
  if (reply.kind !== 'malformed') return reply;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return status >= 200 && status < 300
      ? reply
      : { kind: 'malformed', reason: `${reply.reason} (http ${status})` };
  }
  if (isRecord(value) && typeof value.error === 'string') {
    return {
      kind: 'error',
      raw: errorObject(-1, value.error),
      code: -1,
      message: value.error,
      data: undefined,
    };
  }
  return reply;
}

/**
 * The status to classify a Bitcoin reply with: a 1.0 error envelope's 500/404/400 is Core's normal
 * way of answering an error, so it is read as 200 and the error rows decide; every other status
 * (401 bad credentials, 403 rpcallowip, 503 work queue full) stays what it is.
 */
export function bitcoinReplyStatus(status: number, reply: UpstreamReply): number {
  return reply.kind === 'error' && ENVELOPE_ERROR_STATUSES.has(status) ? 200 : status;
}

/** Both envelopes, and the status their error answers really mean: the family's reply reader. */
export function readBitcoinReply(body: string, status: number): FamilyReply {
  const reply = parseBitcoinReply(body, status);
  return { reply, status: bitcoinReplyStatus(status, reply) };
}
