// How CometBFT nodes say "no", as rows (first match wins). CometBFT wraps a method's Go error as
// {"code":-32603,"message":"Internal error","data":"<the error text>"} and bad arguments as -32602
// "Invalid params" with the reason in data (rpc/jsonrpc/types RPCInternalError, RPCInvalidParamsError),
// so rows match on the text (message + data) first and on codes last.
import type { ErrorRow } from '../family.js';

export const COMETBFT_ERROR_ROWS: readonly ErrorRow[] = [
  {
    outcome: 'throttled',
    codes: [429, -32429],
    seen: 'public RPC gateways (polkachu, publicnode) in front of CometBFT',
  },
  {
    outcome: 'throttled',
    text: /rate[ -]?limit|too many requests/i,
    seen: 'public RPC gateways in front of CometBFT',
  },
  // --- Not ready: block sync or state sync running. Counts against the node.
  {
    outcome: 'upstream_error',
    text: /endpoint is closed while node is catching up/i,
    seen: 'CometBFT rpc/core/mempool.go ErrEndpointClosedCatchingUp (broadcast_tx_* while catching up, v0.38+)',
  },
  // --- Duplicate: the submission treats it as success (submission.ts); the row says "final answer".
  {
    outcome: 'deterministic',
    text: /tx already exists in cache/i,
    seen: 'CometBFT mempool ErrTxInCache: -32603 "Internal error" data "tx already exists in cache"',
  },
  {
    // Full right now on this node; others may have room. Not the transaction's fault.
    outcome: 'throttled',
    text: /mempool is full/i,
    seen: 'CometBFT ErrMempoolIsFull "mempool is full: number of txs 5000 (max: 5000), total txs bytes ..."',
  },
  {
    outcome: 'throttled',
    text: /max_subscription_clients|max_subscriptions_per_client/i,
    seen: 'CometBFT ErrMaxSubscription "max_subscription_clients 100 reached" (broadcast_tx_commit)',
  },
  {
    outcome: 'deterministic',
    text: /tx too large|tx size is too big/i,
    seen: 'CometBFT ErrTxTooLarge "Tx too large. Max size is 1048576, but got 2000000"',
  },
  // --- This node does not have the height yet (behind) or any more (pruned): another node may.
  {
    outcome: 'missing_state',
    text: /must be less than or equal to the current blockchain height/i,
    seen: 'CometBFT rpc/core getHeight: "height 1001 must be less than or equal to the current blockchain height 1000"',
  },
  {
    outcome: 'missing_state',
    text: /is not available, lowest height is|could not find results for height|could not find (block|header)/i,
    seen: 'CometBFT: "height 1 is not available, lowest height is 5000" (pruned), "could not find results for height #1"',
  },
  {
    // Not indexed here (yet): a node further along may have it; the retry budget bounds the cost.
    outcome: 'missing_state',
    text: /\btx \([0-9a-fA-F]+\) not found/i,
    seen: 'CometBFT rpc/core/tx.go: "tx (5B3E...) not found"',
  },
  {
    // A node configured not to keep ABCI responses never serves block_results: not its health.
    outcome: 'unsupported',
    text: /not persisting finalize block responses/i,
    seen: 'CometBFT 0.38 with storage.discard_abci_responses = true: block_results "node is not persisting finalize block responses"',
  },
  {
    outcome: 'unsupported',
    text: /(transaction|block) indexing is disabled/i,
    seen: 'CometBFT with tx_index.indexer = "null": "transaction indexing is disabled"',
  },
  {
    // broadcast_tx_commit gave up waiting for the block: the transaction may still be included.
    outcome: 'upstream_error',
    text: /timed out waiting for tx to be included/i,
    seen: 'CometBFT ErrTimedOutWaitingForTx "timed out waiting for tx to be included in a block"',
  },
  { outcome: 'unsupported', codes: [-32601], seen: 'CometBFT "Method not found"' },
  {
    outcome: 'deterministic',
    codes: [-32600, -32602],
    seen: 'CometBFT -32602 "Invalid params" data "error converting json params to arguments: ..."',
  },
  // Any other Go error of a method: the node failed to answer.
  {
    outcome: 'upstream_error',
    codes: [-32603, -32700],
    seen: 'CometBFT -32603 "Internal error", parse error',
  },
];
