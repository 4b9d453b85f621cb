// The Bitcoin family (Bitcoin Core and compatible nodes): identity = hash of block 0, head =
// getblockcount, readiness = getblockchaininfo, submission = sendrawtransaction (duplicates: -27 "already
// in block chain" / "outputs already in utxo set", -26 "txn-already-in-mempool"), 1.0 and 2.0 envelopes.
import type { ChainFamily } from '../family.js';
import { BITCOIN_ERROR_ROWS } from './error-rows.js';
import { bitcoinMethods } from './methods.js';
import { bitcoinLiveHead, bitcoinProbes } from './probes.js';
import { readBitcoinReply } from './reply.js';
import { bitcoinSubmission } from './submission.js';

export const bitcoinFamily: ChainFamily = {
  name: 'bitcoin',
  probes: bitcoinProbes,
  methodFacts: bitcoinMethods.methodFacts,
  methodLabel: bitcoinMethods.methodLabel,
  isLatestRead: bitcoinMethods.isLatestRead,
  errorRows: BITCOIN_ERROR_ROWS,
  readReply: readBitcoinReply,
  liveHead: bitcoinLiveHead,
  submission: bitcoinSubmission,
  envelope: 'bitcoin',
};

export const bitcoinImmutableMethods = bitcoinMethods.immutableMethods;
export const isBitcoinImmutableRead = bitcoinMethods.isImmutableRead;
export { MAX_HEADERS_AHEAD as BITCOIN_MAX_HEADERS_AHEAD } from './probes.js';
export { bitcoinReplyStatus, parseBitcoinReply } from './reply.js';
export { bitcoinTxid, bitcoinWtxid } from './txid.js';
