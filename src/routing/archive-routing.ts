// Historical-state reads: which calls need an archive node, and which upstreams to prefer for them.
// Full nodes keep recent state only (geth: the last 128 blocks); an older balance, call or trace needs
// an archive node. Upstreams are archive when configured `archive: true`; the dispatcher learns
// `archive = false` when one answers an old-state read with "missing trie node" and the like.

import { blockRefOf, methodFacts } from '../families/evm/methods.js';
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';

/** Beyond this depth below the best head a block's state may be pruned on full nodes. */
const ARCHIVE_DEPTH = 128;

/** The block number a call names, with `earliest` as genesis; undefined for tags, hashes, none. */
function namedBlockNumber(method: string, params: unknown): bigint | undefined {
  const ref = blockRefOf(method, params);
  if (!ref) return undefined;
  if ('number' in ref) return ref.number;
  if ('tag' in ref && ref.tag === 'earliest') return 0n;
  return undefined;
}

/** A state read (balance, code, storage, call, trace) of a block more than ARCHIVE_DEPTH below the head. */
export function isHistoricalStateRead(chain: ChainRuntime, method: string, params: unknown): boolean {
  if (!methodFacts(method).state) return false;
  const head = chain.bestHead;
  const n = namedBlockNumber(method, params);
  if (head === undefined || n === undefined) return false;
  return BigInt(head) - n > BigInt(ARCHIVE_DEPTH);
}

/** Configured archive upstreams first; the rest (unknown) only when none of those is in the pool. */
export function preferArchive(pool: Upstream[]): Upstream[] {
  const archive = pool.filter((u) => u.archive === true);
  return archive.length > 0 ? archive : pool;
}
