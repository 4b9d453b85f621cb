// sendrawtransaction: Core answers the txid. A transaction already in the mempool is answered with its
// txid too (node/transaction.cpp BroadcastTransaction); one already mined is refused with -27; older
// nodes and submitpackage report mempool duplicates as -26 reject reasons. Those all mean: submitted.
import { hexToBytes } from '../bytes.js';
import type { RpcErrorFields, TransactionSubmission } from '../family.js';
import { paramAt } from '../params.js';
import { bitcoinTxid } from './txid.js';

const SEND = 'sendrawtransaction';

/** Reject reasons that name this very transaction (same txid) as already in the mempool. */
const IN_MEMPOOL = /txn-already-in-mempool|txn-already-known|txn-same-nonwitness-data-in-mempool/i;
/** -27 RPC_VERIFY_ALREADY_IN_CHAIN (v28 renamed RPC_VERIFY_ALREADY_IN_UTXO_SET). */
const IN_CHAIN = /already in (the )?block ?chain|outputs already in utxo set/i;

function isDuplicate(method: string, error: RpcErrorFields): boolean {
  if (method !== SEND) return false;
  if (error.code === -27) return true;
  return IN_CHAIN.test(error.message) || IN_MEMPOOL.test(error.message);
}

function transactionId(method: string, params: unknown): string | undefined {
  if (method !== SEND) return undefined;
  const hex = paramAt(params, 0, 'hexstring');
  if (typeof hex !== 'string' || hex.startsWith('0x')) return undefined;
  const raw = hexToBytes(hex);
  return raw ? bitcoinTxid(raw) : undefined;
}

export const bitcoinSubmission: TransactionSubmission = {
  // submitpackage submits too (several transactions): broadcast, never resent; it has no single id.
  methods: new Set([SEND, 'submitpackage']),
  isDuplicate,
  transactionId,
};
