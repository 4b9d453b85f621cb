// How Bitcoin Core (and Bitcoin RPC providers) say "no", as rows (first match wins). Codes from Core's
// src/rpc/protocol.h (RPCErrorCode); messages from src/rpc/*.cpp, src/node/transaction.cpp
// (TransactionErrorString) and validation reject reasons.
import type { ErrorRow } from '../family.js';

export const BITCOIN_ERROR_ROWS: readonly ErrorRow[] = [
  // --- Not ready: the node is starting or still downloading the chain. It counts against the node.
  {
    outcome: 'upstream_error',
    codes: [-28],
    seen: 'Core RPC_IN_WARMUP -28 "Loading block index…", "Verifying blocks…", "Rewinding blocks…"',
  },
  {
    outcome: 'upstream_error',
    codes: [-10, -9],
    seen: 'Core RPC_CLIENT_IN_INITIAL_DOWNLOAD -10 "Bitcoin Core is in initial sync and waiting for blocks...", -9 not connected',
  },

  // --- Rate limits of RPC providers in front of Core.
  {
    outcome: 'throttled',
    codes: [429, -32429],
    seen: 'providers (quicknode, getblock, nownodes) code 429 / -32429',
  },
  {
    outcome: 'throttled',
    text: /rate[ -]?limit|too many requests|credits? (exhausted|exceeded)|request limit reached/i,
    seen: 'provider gateways in front of bitcoind',
  },

  // --- Duplicates of sendrawtransaction: final answers here; the submission treats them as success.
  {
    outcome: 'deterministic',
    codes: [-27],
    seen: 'Core RPC_VERIFY_ALREADY_IN_CHAIN -27 "Transaction already in block chain" (v28: "Transaction outputs already in utxo set")',
  },
  {
    outcome: 'deterministic',
    text: /txn-already-in-mempool|txn-already-known|txn-same-nonwitness-data-in-mempool/i,
    seen: 'Core RPC_VERIFY_REJECTED -26 "txn-already-in-mempool" (older Core, testmempoolaccept, submitpackage)',
  },

  // --- This node does not have the block or the index yet: one further along or with -txindex may.
  {
    // getblockhash for a height above this node's tip: a lagging node, like EVM "block out of range".
    outcome: 'missing_state',
    text: /block height out of range/i,
    seen: 'Core RPC_INVALID_PARAMETER -8 "Block height out of range" (getblockhash, getblockstats)',
  },
  {
    // A hash another node just announced, not yet here; EVM "block not found" is read the same way.
    outcome: 'missing_state',
    text: /\bblock not found\b/i,
    seen: 'Core RPC_INVALID_ADDRESS_OR_KEY -5 "Block not found" (getblock, getblockheader, getblockstats)',
  },
  {
    outcome: 'missing_state',
    text: /block not available|pruned data|not fully downloaded|undo data/i,
    seen: 'Core RPC_MISC_ERROR -1 "Block not available (pruned data)", "Block not available (not fully downloaded)"',
  },
  {
    outcome: 'missing_state',
    text: /use -txindex|txindex is still syncing|index is not (yet )?(synced|available)/i,
    seen: 'Core -5 "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries."',
  },

  // --- Not offered here.
  {
    outcome: 'unsupported',
    codes: [-32601],
    seen: 'Core RPC_METHOD_NOT_FOUND -32601 "Method not found" (HTTP 404 before v28)',
  },
  {
    outcome: 'unsupported',
    codes: [-32],
    seen: 'Core RPC_METHOD_DEPRECATED -32 "... is deprecated and will be fully removed in ..."',
  },

  // --- The node's own failure.
  {
    outcome: 'upstream_error',
    codes: [-32603, -32700, -20, -7],
    seen: 'Core RPC_INTERNAL_ERROR, RPC_PARSE_ERROR, RPC_DATABASE_ERROR -20, RPC_OUT_OF_MEMORY -7',
  },
  {
    outcome: 'upstream_error',
    text: /work queue depth exceeded|mempool internal error/i,
    seen: 'Core httpserver "Work queue depth exceeded" (-rpcworkqueue), TransactionError MEMPOOL_ERROR',
  },

  // --- The request itself is wrong: every node would say the same.
  {
    outcome: 'deterministic',
    codes: [-8, -5, -3, -1, -22, -25, -26],
    seen: 'Core -8 RPC_INVALID_PARAMETER, -5 invalid address/key, -3 type error, -1 misc (usage text), -22 "TX decode failed", -25 "bad-txns-inputs-missingorspent", -26 policy rejects',
  },
  { outcome: 'deterministic', codes: [-32600, -32602], seen: 'Core RPC_INVALID_REQUEST, RPC_INVALID_PARAMS' },
];
