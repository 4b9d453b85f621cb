// EVM: an agreed receipt or eth_getLogs answer checked against the blocks it names: each block's hash
// must be the quorum-verified header's at that number, and each log's address and topics must be in that
// header's logs bloom (a fabricated log almost never is).

import type { VerifyConfig } from '../../config/verify-config.js';
import { logInBloom } from '../../families/evm/logs-bloom.js';
import type { CallContext } from '../call-pipeline.js';
import { quantity } from '../stage-calls.js';
import { isHeader, verifiedHeader } from './evm-blocks.js';

/** A log range naming more blocks than this is checked by the quorum alone. */
const MAX_CHECKED_BLOCKS = 32;

interface LogLike {
  blockNumber?: unknown;
  blockHash?: unknown;
  address?: unknown;
  topics?: unknown;
}

/** Why the agreed answer does not fit its blocks; undefined when it does (or names none). */
export async function evmIntegrityProblem(
  ctx: CallContext,
  method: string,
  value: unknown,
  policy: Pick<VerifyConfig, 'quorum' | 'across' | 'onDispute'>,
): Promise<string | undefined> {
  let entries: LogLike[];
  if (method === 'eth_getTransactionReceipt') {
    if (value === null || typeof value !== 'object') return undefined;
    const receipt = value as LogLike & { logs?: unknown };
    const logs = Array.isArray(receipt.logs) ? (receipt.logs as LogLike[]) : [];
    entries = [{ blockNumber: receipt.blockNumber, blockHash: receipt.blockHash }, ...logs];
  } else if (method === 'eth_getLogs') {
    if (!Array.isArray(value)) return undefined;
    entries = value as LogLike[];
  } else {
    return undefined;
  }
  const numbers = [...new Set(entries.map((e) => quantity(e.blockNumber)))];
  if (numbers.length > MAX_CHECKED_BLOCKS) return undefined;
  for (const n of numbers) {
    if (n === undefined) return 'an entry names no block number';
    const header = await verifiedHeader(ctx, n, policy);
    if (!isHeader(header)) return `block ${n} could not be verified`;
    for (const e of entries) {
      if (quantity(e.blockNumber) !== n) continue;
      if (String(e.blockHash).toLowerCase() !== header.hash)
        return `an entry's blockHash is not block ${n}'s`;
      if (e.address !== undefined && !logInBloom(header.logsBloom, e))
        return `a log is not in block ${n}'s bloom`;
    }
  }
  return undefined;
}
