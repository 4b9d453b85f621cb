// Per-method facts for EVM JSON-RPC: what the dispatcher may do with a call (retry, hedge, pin to one
// upstream) and which block it reads. One record per method; anything not listed is treated with care.
import { type MethodFacts, UNKNOWN_FACTS } from '../family.js';

type BlockTag = 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest';

export type BlockRef = { tag: BlockTag } | { number: bigint } | { hash: string } | undefined;

/** What a method may do to the chain or to upstream state. */
type Kind = 'read' | 'heavy-read' | 'write' | 'create-filter' | 'use-filter' | 'subscription';

/** Where a method's block dependence comes from. */
type BlockSpec =
  /** params[at] is a block tag, number, hash or EIP-1898 object; when optional, missing means latest. */
  | { at: number; optional: boolean }
  /** params[0] is a log filter: blockHash, or fromBlock/toBlock each defaulting to latest. */
  | 'filter'
  /** No block param; the answer is derived from the head block (gas price, block number). */
  | 'head'
  /** No block param, but the answer moves with the chain or the node (sync state, filter changes). */
  | 'live'
  /** The answer does not depend on the head (chain id, lookups by transaction hash). */
  | 'none';

interface MethodSpec {
  kind: Kind;
  block: BlockSpec;
  /** Reads account state at the block (see MethodFacts.state). */
  state?: true;
}

const at = (index: number, optional = false): BlockSpec => ({ at: index, optional });

const METHODS: Record<string, MethodSpec> = {
  eth_chainId: { kind: 'read', block: 'none' },
  eth_blockNumber: { kind: 'read', block: 'head' },
  eth_call: { kind: 'read', block: at(1, true), state: true },
  eth_estimateGas: { kind: 'read', block: at(1, true), state: true },
  eth_createAccessList: { kind: 'read', block: at(1, true), state: true },
  // Multi-block simulations can cost as much as a trace: never doubled by a hedge.
  eth_simulateV1: { kind: 'heavy-read', block: at(1, true), state: true },
  eth_gasPrice: { kind: 'read', block: 'head' },
  eth_maxPriorityFeePerGas: { kind: 'read', block: 'head' },
  eth_blobBaseFee: { kind: 'read', block: 'head' },
  eth_feeHistory: { kind: 'read', block: at(1, true) },
  eth_getBalance: { kind: 'read', block: at(1, true), state: true },
  eth_getCode: { kind: 'read', block: at(1, true), state: true },
  eth_getStorageAt: { kind: 'read', block: at(2, true), state: true },
  eth_getTransactionCount: { kind: 'read', block: at(1, true), state: true },
  eth_getProof: { kind: 'read', block: at(2, true), state: true },
  eth_getBlockByNumber: { kind: 'read', block: at(0) },
  eth_getBlockByHash: { kind: 'read', block: at(0) },
  eth_getBlockReceipts: { kind: 'read', block: at(0) },
  eth_getBlockTransactionCountByNumber: { kind: 'read', block: at(0) },
  eth_getBlockTransactionCountByHash: { kind: 'read', block: at(0) },
  eth_getUncleCountByBlockNumber: { kind: 'read', block: at(0) },
  eth_getUncleCountByBlockHash: { kind: 'read', block: at(0) },
  eth_getUncleByBlockNumberAndIndex: { kind: 'read', block: at(0) },
  eth_getUncleByBlockHashAndIndex: { kind: 'read', block: at(0) },
  eth_getTransactionByBlockNumberAndIndex: { kind: 'read', block: at(0) },
  eth_getTransactionByBlockHashAndIndex: { kind: 'read', block: at(0) },
  eth_getTransactionByHash: { kind: 'read', block: 'none' },
  eth_getTransactionReceipt: { kind: 'read', block: 'none' },
  eth_getLogs: { kind: 'read', block: 'filter' },
  eth_syncing: { kind: 'read', block: 'live' },
  eth_accounts: { kind: 'read', block: 'none' },
  eth_sendRawTransaction: { kind: 'write', block: 'none' },
  eth_sendTransaction: { kind: 'write', block: 'none' },
  eth_newFilter: { kind: 'create-filter', block: 'none' },
  eth_newBlockFilter: { kind: 'create-filter', block: 'none' },
  eth_newPendingTransactionFilter: { kind: 'create-filter', block: 'none' },
  eth_getFilterChanges: { kind: 'use-filter', block: 'live' },
  eth_getFilterLogs: { kind: 'use-filter', block: 'live' },
  eth_uninstallFilter: { kind: 'use-filter', block: 'none' },
  eth_subscribe: { kind: 'subscription', block: 'none' },
  eth_unsubscribe: { kind: 'subscription', block: 'none' },
  net_version: { kind: 'read', block: 'none' },
  net_listening: { kind: 'read', block: 'none' },
  net_peerCount: { kind: 'read', block: 'live' },
  web3_clientVersion: { kind: 'read', block: 'none' },
  web3_sha3: { kind: 'read', block: 'none' },
  debug_traceTransaction: { kind: 'heavy-read', block: 'none' },
  debug_traceCall: { kind: 'heavy-read', block: at(1, true), state: true },
  debug_traceBlockByNumber: { kind: 'heavy-read', block: at(0), state: true },
  debug_traceBlockByHash: { kind: 'heavy-read', block: at(0), state: true },
  trace_block: { kind: 'heavy-read', block: at(0), state: true },
  trace_transaction: { kind: 'heavy-read', block: 'none' },
  trace_get: { kind: 'heavy-read', block: 'none' },
  trace_filter: { kind: 'heavy-read', block: 'filter' },
  trace_call: { kind: 'heavy-read', block: at(2, true), state: true },
  trace_callMany: { kind: 'heavy-read', block: at(1, true), state: true },
  trace_replayTransaction: { kind: 'heavy-read', block: 'none' },
  trace_replayBlockTransactions: { kind: 'heavy-read', block: at(0), state: true },
};

// A Map, not the object: client input such as "constructor" or "__proto__" must not hit Object.prototype.
const TABLE: ReadonlyMap<string, MethodSpec> = new Map(Object.entries(METHODS));

type BaseFacts = Omit<MethodFacts, 'blockParam' | 'state'>;

const KIND_FACTS: Record<Kind, BaseFacts> = {
  read: { idempotentRead: true, hedge: true, write: false, sticky: undefined },
  'heavy-read': { idempotentRead: true, hedge: false, write: false, sticky: undefined },
  write: { idempotentRead: false, hedge: false, write: true, sticky: undefined },
  // Filters live on one upstream; a repeat elsewhere answers "filter not found" or creates a second one.
  'create-filter': { idempotentRead: false, hedge: false, write: false, sticky: 'create-filter' },
  'use-filter': { idempotentRead: false, hedge: false, write: false, sticky: 'use-filter' },
  subscription: { idempotentRead: false, hedge: false, write: false, sticky: undefined },
};

/** Unknown methods may have side effects we cannot see: retried only when nothing was sent (every family). */

const FACTS: ReadonlyMap<string, MethodFacts> = new Map(
  [...TABLE].map(([name, spec]) => [
    name,
    Object.freeze({
      ...KIND_FACTS[spec.kind],
      state: spec.state === true,
      blockParam: typeof spec.block === 'object' ? spec.block.at : undefined,
    }),
  ]),
);

export function methodFacts(method: string): MethodFacts {
  return FACTS.get(method) ?? UNKNOWN_FACTS;
}

/** Bounded label for metrics: known method names as themselves, everything else 'other'. Never raw client input. */
export function methodLabel(method: string): string {
  return TABLE.has(method) ? method : 'other';
}

const TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'safe', 'finalized', 'earliest']);
/** Tags whose block moves as the chain advances ('earliest' is genesis: fixed). */
const HEAD_TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'safe', 'finalized']);
const LATEST: BlockRef = Object.freeze({ tag: 'latest' as const });

const HASH = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x[0-9a-fA-F]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A tag, hex number, 32-byte hash (geth accepts a bare hash for block-or-hash params) or EIP-1898 object. */
function parseBlock(value: unknown): BlockRef {
  if (typeof value === 'string') {
    // Tags are matched case-insensitively: a node that rejects "Latest" answers with an error anyway.
    const lower = value.toLowerCase();
    if (TAGS.has(lower)) return { tag: lower as BlockTag };
    if (HASH.test(value)) return { hash: value };
    if (QUANTITY.test(value)) return { number: BigInt(value) };
    return undefined;
  }
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? { number: BigInt(value) } : undefined;
  if (isRecord(value)) {
    if (typeof value.blockHash === 'string')
      return HASH.test(value.blockHash) ? { hash: value.blockHash } : undefined;
    if (value.blockNumber !== undefined) {
      const ref = parseBlock(value.blockNumber);
      return ref && 'hash' in ref ? undefined : ref;
    }
  }
  return undefined;
}

/** Positional params as an array; undefined when the client sent named params (not used by eth_*). */
function positional(params: unknown): unknown[] | undefined {
  if (params === undefined || params === null) return [];
  return Array.isArray(params) ? params : undefined;
}

function paramBlock(params: unknown, index: number, optional: boolean): BlockRef {
  const list = positional(params);
  if (!list) return undefined;
  const value = list[index];
  // geth treats an explicit null like an omitted optional argument.
  if (value === undefined || value === null) return optional ? LATEST : undefined;
  return parseBlock(value);
}

function filterOf(params: unknown): Record<string, unknown> | undefined {
  const first = positional(params)?.[0];
  return isRecord(first) ? first : undefined;
}

/** A filter bound: omitted or null means latest, as in geth. */
function filterBound(filter: Record<string, unknown>, key: 'fromBlock' | 'toBlock'): BlockRef {
  const value = filter[key];
  return value === undefined || value === null ? LATEST : parseBlock(value);
}

/** The block a call reads: for a log/trace filter, its blockHash or the ref of toBlock. */
export function blockRefOf(method: string, params: unknown): BlockRef {
  const spec = TABLE.get(method);
  if (!spec) return undefined;
  const block = spec.block;
  if (typeof block === 'object') return paramBlock(params, block.at, block.optional);
  if (block === 'head') return LATEST;
  if (block === 'filter') {
    const filter = filterOf(params);
    if (!filter) return undefined;
    if (filter.blockHash !== undefined && filter.blockHash !== null) {
      return typeof filter.blockHash === 'string' && HASH.test(filter.blockHash)
        ? { hash: filter.blockHash }
        : undefined;
    }
    return filterBound(filter, 'toBlock');
  }
  return undefined;
}

function movesWithHead(ref: BlockRef): boolean {
  // A ref we cannot read is treated as head-dependent: caching or pinning it would be the riskier mistake.
  if (ref === undefined) return true;
  return 'tag' in ref && HEAD_TAGS.has(ref.tag);
}

/**
 * True when the answer may depend on the chain head: latest/pending/safe/finalized, an omitted optional
 * block, head-derived values (eth_blockNumber, eth_gasPrice), moving state (eth_syncing, filter changes).
 * Unknown methods count as head-dependent; lookups by hash and chain constants do not.
 */
export function isLatestRead(method: string, params: unknown): boolean {
  const spec = TABLE.get(method);
  if (!spec) return true;
  const block = spec.block;
  if (block === 'none') return false;
  if (block === 'head' || block === 'live') return true;
  if (typeof block === 'object') return movesWithHead(paramBlock(params, block.at, block.optional));
  const filter = filterOf(params);
  if (!filter) return true;
  if (filter.blockHash !== undefined && filter.blockHash !== null) return false;
  // fromBlock 'latest' with a numbered toBlock still changes as the head passes toBlock.
  return movesWithHead(filterBound(filter, 'fromBlock')) || movesWithHead(filterBound(filter, 'toBlock'));
}
