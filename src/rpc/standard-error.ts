// A catalogue error with only a standard JSON-RPC code (-32700, -32600…-32603), for sockets whose
// clients know no other: @solana/kit throws inside its socket handler on a code it does not know.
// The catalogue name goes in `data`, so nothing of the answer is lost.
import { ERRORS, type ErrorName } from './errors.js';
import { errorObject } from './jsonrpc.js';

const STANDARD = new Set([-32700, -32600, -32601, -32602, -32603]);

export function standardCatalogueError(name: ErrorName, detail?: string): string {
  const entry = ERRORS[name];
  const code = STANDARD.has(entry.rpcCode) ? entry.rpcCode : -32603;
  return errorObject(code, detail ? `${entry.message}: ${detail}` : entry.message, name);
}
