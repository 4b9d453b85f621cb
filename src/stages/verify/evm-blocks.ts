// EVM: one block for every participant. A tag (`latest`, `safe`, `finalized`, `earliest`, or none) is
// resolved to a block number first, and that block's header is verified by a quorum (its hash
// recomputed from its fields by each participant's answer) and cached; state reads then name the
// block by hash (EIP-1898), so honest upstreams agree, and proofs check against its stateRoot.
import type { VerifyConfig } from '../../config/verify-config.js';
import { blockHashHolds } from '../../families/evm/header-hash.js';
import type { ChainRuntime } from '../../routing/chain.js';
import type { CallContext } from '../call-pipeline.js';
import { derivedCall, dispatchCall, quantity, toQuantity } from '../stage-calls.js';
import { type QuorumResult, quorumRead } from './quorum.js';
import { recordVotes } from './verdicts.js';

export interface VerifiedHeader {
  number: number;
  hash: string;
  stateRoot: string;
  logsBloom: string;
}

/** The param index of the block reference, per verified state read. */
export const BLOCK_PARAM: ReadonlyMap<string, number> = new Map([
  ['eth_getBalance', 1],
  ['eth_getTransactionCount', 1],
  ['eth_getCode', 1],
  ['eth_getStorageAt', 2],
  ['eth_call', 1],
  ['eth_getBlockByNumber', 0],
]);

const TAGS: ReadonlySet<string> = new Set(['latest', 'safe', 'finalized']);

/** Headers stay this long: long enough to serve a burst of reads at one block, short next to a reorg. */
const HEADER_TTL_MS = 12_000;
const MAX_HEADERS = 256;

const headerCaches = new WeakMap<ChainRuntime, Map<number, { header: VerifiedHeader; atMs: number }>>();

export type BlockRef = { number: number } | { unverifiable: string } | { hash: string };

/** The block a reference names: a number, a hash (EIP-1898), or why it cannot be pinned (pending). */
export async function resolveBlockRef(ctx: CallContext, ref: unknown): Promise<BlockRef> {
  if (ref === undefined || ref === null) ref = 'latest';
  if (typeof ref === 'object') {
    const o = ref as { blockHash?: unknown; blockNumber?: unknown };
    if (typeof o.blockHash === 'string') return { hash: o.blockHash.toLowerCase() };
    ref = o.blockNumber;
  }
  if (ref === 'earliest') return { number: 0 };
  if (ref === 'pending') return { unverifiable: 'pending state differs from node to node' };
  const n = quantity(ref);
  if (n !== undefined) return { number: n };
  if (typeof ref !== 'string' || !TAGS.has(ref)) return { unverifiable: 'not a block reference' };
  const answer = await dispatchCall(ctx, derivedCall(ctx.call, 'eth_getBlockByNumber', [ref, false]));
  const number =
    answer.kind === 'result' ? quantity((answer.value as { number?: unknown } | null)?.number) : undefined;
  if (number === undefined) return { unverifiable: `could not resolve "${ref}"` };
  // `latest` at the slowest of the known heads: a block every participant can be expected to hold.
  const heads = ctx.chain.upstreams.map((u) => u.head).filter((h): h is number => h !== undefined);
  return { number: ref === 'latest' && heads.length > 0 ? Math.min(number, ...heads) : number };
}

/** The header of block `n` as a quorum of distinct domains agrees on it (each hash recomputed). */
export async function verifiedHeader(
  ctx: CallContext,
  n: number,
  policy: Pick<VerifyConfig, 'quorum' | 'across' | 'onDispute'>,
): Promise<VerifiedHeader | QuorumResult> {
  let cache = headerCaches.get(ctx.chain);
  if (!cache) {
    cache = new Map();
    headerCaches.set(ctx.chain, cache);
  }
  const nowMs = Date.now();
  const hit = cache.get(n);
  if (hit && nowMs - hit.atMs < HEADER_TTL_MS) return hit.header;
  const call = derivedCall(ctx.call, 'eth_getBlockByNumber', [toQuantity(n), false]);
  const result = await quorumRead(ctx, call, policy, blockCheck);
  recordVotes(ctx, call, result.votes, result.kind === 'agreed' ? result.digest : undefined);
  if (result.kind !== 'agreed' || result.answer.kind !== 'result') return result;
  const block = result.answer.value as Record<string, string>;
  const header = { number: n, hash: block.hash!, stateRoot: block.stateRoot!, logsBloom: block.logsBloom! };
  if (cache.size >= MAX_HEADERS) cache.delete(cache.keys().next().value!);
  cache.set(n, { header, atMs: nowMs });
  return header;
}

/** A block answer must hash to its own `hash`; null (not there yet) is no vote. */
export function blockCheck(value: unknown): 'ok' | 'invalid' | 'absent' {
  if (value === null) return 'absent';
  return blockHashHolds(value) ? 'ok' : 'invalid';
}

export function isHeader(h: VerifiedHeader | QuorumResult): h is VerifiedHeader {
  return 'stateRoot' in h;
}
