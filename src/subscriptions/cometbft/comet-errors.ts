// Errors on CometBFT subscription sockets: standard JSON-RPC codes (what CometBFT clients expect),
// Switchyard's catalogue name in `data` so a client can still branch on it.
import { ERRORS, type ErrorName } from '../../rpc/errors.js';
import { errorObject } from '../../rpc/jsonrpc.js';

const STANDARD_CODES = new Set([-32700, -32600, -32601, -32602, -32603]);

export function cometError(name: ErrorName, detail?: string): string {
  const entry = ERRORS[name];
  const code = STANDARD_CODES.has(entry.rpcCode) ? entry.rpcCode : -32603;
  return errorObject(code, detail ? `${entry.message}: ${detail}` : entry.message, name);
}
