// broadcast_tx_sync/async/commit: the transaction hash is SHA-256 of the tx bytes, upper-case hex, as
// CometBFT reports it (types.Tx.Hash, shown by tx and broadcast results). Over JSON-RPC the tx param
// is base64 ({"tx":"CpMBCpAB..."}); a duplicate is "tx already exists in cache" (mempool.ErrTxInCache).
import { sha256 } from '@noble/hashes/sha2';
import { base64ToBytes, bytesToHex } from '../bytes.js';
import type { RpcErrorFields, TransactionSubmission } from '../family.js';
import { paramAt } from '../params.js';

const BROADCAST: ReadonlySet<string> = new Set([
  'broadcast_tx_sync',
  'broadcast_tx_async',
  'broadcast_tx_commit',
]);
const IN_CACHE = /tx already exists in cache/i;

function isDuplicate(method: string, error: RpcErrorFields): boolean {
  if (!BROADCAST.has(method)) return false;
  return IN_CACHE.test(error.message) || (typeof error.data === 'string' && IN_CACHE.test(error.data));
}

export function cometbftTxHash(tx: Uint8Array): string {
  return bytesToHex(sha256(tx)).toUpperCase();
}

function transactionId(method: string, params: unknown): string | undefined {
  if (!BROADCAST.has(method)) return undefined;
  const tx = paramAt(params, 0, 'tx');
  if (typeof tx !== 'string' || tx.length === 0) return undefined;
  const bytes = base64ToBytes(tx);
  return bytes ? cometbftTxHash(bytes) : undefined;
}

export const cometbftSubmission: TransactionSubmission = {
  methods: BROADCAST,
  isDuplicate,
  transactionId,
  // broadcast_tx_sync's own result for an accepted transaction: CheckTx code 0 and the hash.
  duplicateResult: (hash) => ({ code: 0, data: '', log: '', codespace: '', hash }),
};
