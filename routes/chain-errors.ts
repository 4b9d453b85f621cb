// Whole-request errors (a refused body, key or batch: no call to take an envelope from) in the envelope
// of the chain the path names. A Bitcoin chain answers them as Bitcoin Core answers a request it cannot
// read: JSON-RPC 1.0 (`{"result":null,"error":{…},"id":null}`), with the catalogue's HTTP status where it
// has one of its own (401, 413, 429, …) and else Core's (500; 400 for -32600). Other chains: JSON-RPC 2.0.
import type { ServerResponse } from 'node:http';
import { catalogueError, ERRORS, type ErrorName } from '../src/rpc/errors.js';
import type { ClientEnvelope } from '../src/rpc/jsonrpc.js';
import { legacyErrorResponse, legacyErrorStatus } from '../src/rpc/legacy-envelope.js';
import type { Runtime } from '../src/runtime/runtime.js';
import { sendCatalogueError, sendJson } from './http-util.js';

/** A whole-request catalogue error in Bitcoin Core's 1.0 envelope (id null). */
export function legacyCatalogueBody(name: ErrorName, detail?: string): string {
  return legacyErrorResponse('null', catalogueError(name, detail));
}

export function sendChainCatalogueError(
  res: ServerResponse,
  envelope: ClientEnvelope,
  name: ErrorName,
  detail?: string,
): void {
  if (envelope !== 'bitcoin') {
    sendCatalogueError(res, name, detail);
    return;
  }
  const entry = ERRORS[name];
  const status = entry.httpStatus === 200 ? legacyErrorStatus(entry.rpcCode) : entry.httpStatus;
  sendJson(res, status, legacyCatalogueBody(name, detail));
}

/** The envelope of the chain a JSON-RPC path names (`/`, `/<chain>`, `/<chain>/<key>`); 2.0 if none. */
export function envelopeOfPath(runtime: Runtime, path: string): ClientEnvelope {
  const name = path.split('/').find((s) => s.length > 0);
  const chain = name === undefined ? runtime.defaultChain : runtime.chains.get(name);
  return chain?.family.envelope ?? '2.0';
}
