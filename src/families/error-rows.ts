// Matching a family's error rows (src/families/family.ts ErrorRow) against one JSON-RPC error object,
// the same way src/families/evm/provider-quirks.ts matches EVM rows: first match wins, the text searched is the
// message followed by `data` when data is a string (CometBFT puts the real reason in data).
import type { ErrorRow, RpcErrorFields } from './family.js';

function errorText(error: RpcErrorFields): string {
  return typeof error.data === 'string' ? `${error.message} ${error.data}` : error.message;
}

export function matchErrorRow(
  rows: readonly ErrorRow[],
  method: string,
  error: RpcErrorFields,
): ErrorRow | undefined {
  const text = errorText(error);
  for (const row of rows) {
    if (row.methods && !row.methods.has(method)) continue;
    if (row.codes && (error.code === undefined || !row.codes.includes(error.code))) continue;
    if (row.text && !row.text.test(text)) continue;
    return row;
  }
  return undefined;
}
