// How agave RPC nodes and Solana RPC providers say "no", as rows (first match wins). Codes and messages
// from agave rpc-client-api custom_error.rs (JSON_RPC_SERVER_ERROR_*), as mirrored in
// solana-rpc-client-api and @solana/kit's SOLANA_ERROR__JSON_RPC__SERVER_ERROR_* codes.
import type { ErrorRow } from '../family.js';

export const SOLANA_ERROR_ROWS: readonly ErrorRow[] = [
  // --- Rate limits first: a provider's 429 may carry any text.
  {
    outcome: 'throttled',
    codes: [429, -32429],
    seen: 'api.mainnet-beta.solana.com code 429 "Too many requests for a specific RPC call", providers -32429',
  },
  {
    outcome: 'throttled',
    text: /rate[ -]?limit|too many requests|credits? (exhausted|exceeded)|exceeded .*capacity/i,
    seen: 'helius "rate limited", quicknode "credits limited", alchemy "exceeded its compute units"',
  },

  // --- This node is behind or lacks the slot: a node at the head, or one with more history, has it.
  {
    outcome: 'missing_state',
    codes: [-32016],
    seen: 'agave -32016 "Minimum context slot has not been reached" (data.contextSlot), MinContextSlotNotReached',
  },
  {
    outcome: 'missing_state',
    codes: [-32004],
    seen: 'agave -32004 "Block not available for slot 123", BlockNotAvailable',
  },
  {
    outcome: 'missing_state',
    codes: [-32007],
    seen: 'agave -32007 "Slot 123 was skipped, or missing due to ledger jump to recent snapshot", SlotSkipped',
  },
  {
    outcome: 'missing_state',
    codes: [-32009],
    seen: 'agave -32009 "Slot 123 was skipped, or missing in long-term storage", LongTermStorageSlotSkipped',
  },
  {
    outcome: 'missing_state',
    codes: [-32001],
    seen: 'agave -32001 "Block 123 cleaned up, does not exist on node. First available block: 456"',
  },
  {
    outcome: 'missing_state',
    codes: [-32014],
    seen: 'agave -32014 "Block status not yet available for slot 123", BlockStatusNotAvailableYet',
  },
  {
    outcome: 'missing_state',
    codes: [-32011],
    seen: 'agave -32011 "Transaction history is not available from this node" (no --enable-rpc-transaction-history)',
  },
  {
    // The node is unhealthy, not the request wrong: it counts against the node (breaker, EWMA) and the
    // read goes elsewhere. missing_state would count as a success and keep a sick node in rotation.
    // sendTransaction answers this before forwarding (preflight health check): nothing was sent.
    outcome: 'upstream_error',
    codes: [-32005],
    seen: 'agave -32005 "Node is behind by 42 slots" (data.numSlotsBehind) or "Node is unhealthy", NodeUnhealthy',
  },

  // --- Preflight (simulation) failures of sendTransaction.
  {
    // Simulation on a lagging node does not know a fresh blockhash yet; a node at the head does.
    outcome: 'missing_state',
    codes: [-32002],
    text: /blockhash not found/i,
    seen: 'agave -32002 "Transaction simulation failed: Blockhash not found" (data.err "BlockhashNotFound")',
  },
  {
    // Duplicate: the submission treats it as success (see submission.ts); the row says "a final answer".
    outcome: 'deterministic',
    text: /already been processed|alreadyprocessed/i,
    seen: 'agave -32002 "Transaction simulation failed: This transaction has already been processed"',
  },
  {
    outcome: 'deterministic',
    codes: [-32002],
    seen: 'agave -32002 SendTransactionPreflightFailure: "Transaction simulation failed: Error processing Instruction 0"',
  },
  {
    outcome: 'deterministic',
    codes: [-32003, -32006, -32013, -32015],
    seen: 'agave -32003 "Transaction signature verification failure", -32006 precompile, -32013 length, -32015 version',
  },
  {
    outcome: 'deterministic',
    codes: [-32012],
    seen: 'agave -32012 ScanError "scan aborted: The accumulated scan results exceeded the limit"',
  },

  // --- Not offered here: another node (other indexes, a snapshot) may answer.
  {
    outcome: 'unsupported',
    codes: [-32010],
    seen: 'agave -32010 "<key> excluded from account secondary indexes; this RPC method unavailable for key"',
  },
  { outcome: 'unsupported', codes: [-32008], seen: 'agave -32008 "No snapshot" (getHighestSnapshotSlot)' },
  { outcome: 'unsupported', codes: [-32601], seen: 'agave/jsonrpc "Method not found"' },

  // --- Generic JSON-RPC codes.
  {
    outcome: 'deterministic',
    codes: [-32600, -32602],
    seen: 'agave "Invalid params: ..." / invalid request',
  },
  // We only send well-formed JSON: a parse error means damaged bytes; internal errors are the node's.
  { outcome: 'upstream_error', codes: [-32603, -32700], seen: 'agave "Internal error", parse error' },
];
