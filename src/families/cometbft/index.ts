// The CometBFT family (Cosmos SDK chains and other CometBFT/Tendermint apps): identity =
// node_info.network, head = sync_info.latest_block_height, readiness = catching_up, submission =
// broadcast_tx_* (duplicate: "tx already exists in cache").
import { type ChainFamily, readJsonRpcReply } from '../family.js';
import { COMETBFT_ERROR_ROWS } from './error-rows.js';
import { cometbftMethods } from './methods.js';
import { cometbftLiveHead, cometbftProbes } from './probes.js';
import { cometbftSubmission } from './submission.js';

export const cometbftFamily: ChainFamily = {
  name: 'cometbft',
  probes: cometbftProbes,
  methodFacts: cometbftMethods.methodFacts,
  methodLabel: cometbftMethods.methodLabel,
  isLatestRead: cometbftMethods.isLatestRead,
  readReply: readJsonRpcReply,
  errorRows: COMETBFT_ERROR_ROWS,
  liveHead: cometbftLiveHead,
  submission: cometbftSubmission,
  envelope: '2.0',
};

export const isCometbftImmutableRead = cometbftMethods.isImmutableRead;
export { readHeight as readCometbftHeight } from './probes.js';
export { cometbftTxHash } from './submission.js';
