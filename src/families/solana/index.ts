// The Solana family (agave and Firedancer RPC): identity = genesis hash, head = confirmed slot,
// readiness = getHealth, submission = sendTransaction (duplicate: "already processed").
import { type ChainFamily, readJsonRpcReply } from '../family.js';
import { SOLANA_ERROR_ROWS } from './error-rows.js';
import { solanaMethods } from './methods.js';
import { solanaProbes } from './probes.js';
import { solanaSubmission } from './submission.js';

export const solanaFamily: ChainFamily = {
  name: 'solana',
  probes: solanaProbes,
  methodFacts: solanaMethods.methodFacts,
  methodLabel: solanaMethods.methodLabel,
  isLatestRead: solanaMethods.isLatestRead,
  readReply: readJsonRpcReply,
  errorRows: SOLANA_ERROR_ROWS,
  // getSlot answers at the caller's commitment (finalized by default, ~32 slots behind confirmed), and
  // liveHead sees no params: only the probe's confirmed slot is trusted as the head.
  liveHead: () => undefined,
  submission: solanaSubmission,
  envelope: '2.0',
};

export const solanaImmutableMethods = solanaMethods.immutableMethods;
export const isSolanaImmutableRead = solanaMethods.isImmutableRead;
export { HEAD_COMMITMENT as SOLANA_HEAD_COMMITMENT } from './probes.js';
export { solanaTransactionId } from './submission.js';
