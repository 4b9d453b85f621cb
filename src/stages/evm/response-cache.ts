// Answers that can never change, cached in memory (lru-cache, bounded by cache.maxEntries and
// cache.maxBytes): the chain id, anything named by block hash, blocks and state at least
// FINAL_DEPTH below the best head, and transactions/receipts by hash once their block is that deep.
// Never cached: errors, nulls, `latest`/`pending`/`safe`/`finalized` reads, EIP-1898
// requireCanonical reads. Identical concurrent cacheable calls share one upstream call.
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/config.js';
import { blockRefOf, isLatestRead, methodFacts } from '../../families/evm/methods.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import type { ChainRuntime } from '../../routing/chain.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { CallStage } from '../call-pipeline.js';
import { quantity } from '../stage-calls.js';

/** Blocks this far below the best head are taken as final (beyond the reorgs seen on EVM chains). */
export const FINAL_DEPTH = 128;
/** Bookkeeping per entry on top of its key and answer text, for the byte bound. */
const ENTRY_OVERHEAD_BYTES = 64;

/** Answers that do not depend on any block. */
const CONSTANT: ReadonlySet<string> = new Set(['eth_chainId', 'net_version']);
/** Lookups by transaction hash: final once their block is FINAL_DEPTH deep. */
const BY_TX_HASH: ReadonlySet<string> = new Set(['eth_getTransactionByHash', 'eth_getTransactionReceipt']);
/** Reads fixed by their block: immutable when named by hash or when the block is final. */
const BY_BLOCK: ReadonlySet<string> = new Set([
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockReceipts',
  'eth_getBlockTransactionCountByNumber',
  'eth_getBlockTransactionCountByHash',
  'eth_getTransactionByBlockNumberAndIndex',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getUncleByBlockNumberAndIndex',
  'eth_getUncleByBlockHashAndIndex',
  'eth_getUncleCountByBlockNumber',
  'eth_getUncleCountByBlockHash',
  'eth_getLogs',
  'eth_call',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getTransactionCount',
  'eth_getProof',
]);

export type CachePolicy = 'immutable' | 'when-final' | undefined;

function requiresCanonical(params: unknown): boolean {
  if (!Array.isArray(params)) return false;
  return params.some(
    (p) => typeof p === 'object' && p !== null && (p as Record<string, unknown>).requireCanonical === true,
  );
}

/** Whether a call's answer may be cached: always, once the answer shows a final block, or never. */
export function cachePolicy(method: string, params: unknown, bestHead: number | undefined): CachePolicy {
  if (CONSTANT.has(method)) return 'immutable';
  if (BY_TX_HASH.has(method)) return 'when-final';
  if (!BY_BLOCK.has(method) || !methodFacts(method).idempotentRead) return undefined;
  if (isLatestRead(method, params) || requiresCanonical(params)) return undefined;
  const ref = blockRefOf(method, params);
  if (!ref) return undefined;
  if ('hash' in ref) return 'immutable';
  if ('tag' in ref) return ref.tag === 'earliest' ? 'immutable' : undefined;
  if (bestHead === undefined) return undefined;
  return ref.number <= BigInt(bestHead - FINAL_DEPTH) ? 'immutable' : undefined;
}

/** Whether an answer may be stored under its call's policy. */
export function storable(policy: CachePolicy, answer: CallAnswer, bestHead: number | undefined): boolean {
  if (policy === undefined || answer.kind !== 'result' || answer.value === null) return false;
  if (policy === 'immutable') return true;
  const block = quantity((answer.value as Record<string, unknown> | undefined)?.blockNumber);
  return block !== undefined && bestHead !== undefined && block <= bestHead - FINAL_DEPTH;
}

/**
 * A read of block n is kept only when every upstream that answered is known to have reached n: a node
 * far behind answers eth_getLogs for blocks it has not seen with [] (anvil, some providers), and that
 * must not be remembered as the truth.
 */
function answeredFromBlock(chain: ChainRuntime, call: RpcCall, answer: CallAnswer): boolean {
  const ref = blockRefOf(call.method, call.params);
  if (!ref || !('number' in ref)) return true;
  const names = answer.upstream?.split(',') ?? [];
  return (
    names.length > 0 &&
    names.every((name) => {
      const head = chain.upstreams.find((u) => u.name === name)?.head;
      return head !== undefined && BigInt(head) >= ref.number;
    })
  );
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Calls answered by joining an identical call already on its way upstream. */
  coalesced: number;
  stored: number;
}

interface Entry {
  raw: string;
  /** The upstream that gave the answer: x-switchyard-upstream keeps naming where an answer came from. */
  upstream: string;
}

export class ResponseCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, coalesced: 0, stored: 0 };
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<CallAnswer>>();

  constructor(readonly settings: Config['cache']) {
    this.entries = new LRUCache<string, Entry>({
      max: settings.maxEntries,
      maxSize: settings.maxBytes,
      sizeCalculation: (entry, key) =>
        entry.raw.length + entry.upstream.length + key.length + ENTRY_OVERHEAD_BYTES,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** The cached answer, or one call shared by every identical caller until it settles. */
  async answer(
    chain: ChainRuntime,
    call: RpcCall,
    policy: Exclude<CachePolicy, undefined>,
    fetch: () => Promise<CallAnswer>,
    onLookup: (hit: boolean) => void,
  ): Promise<CallAnswer> {
    const key = `${chain.name}\u0000${chain.chainId}\u0000${call.method}\u0000${call.paramsRaw ?? ''}`;
    const entry = this.entries.get(key);
    if (entry) {
      this.stats.hits++;
      onLookup(true);
      return cachedAnswer(entry);
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.coalesced++;
      onLookup(true);
      return pending;
    }
    this.stats.misses++;
    onLookup(false);
    const promise = fetch().then((answer) => {
      if (
        storable(policy, answer, chain.bestHead) &&
        answer.kind === 'result' &&
        answeredFromBlock(chain, call, answer)
      ) {
        this.entries.set(key, { raw: answer.raw, upstream: answer.upstream });
        if (this.entries.has(key)) this.stats.stored++;
      }
      return answer;
    });
    this.inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }
}

/** An answer from the cache: the value is parsed only if a stage asks for it. */
function cachedAnswer({ raw, upstream }: Entry): CallAnswer {
  let parsed: { value: unknown } | undefined;
  return {
    kind: 'result',
    raw,
    upstream,
    get value() {
      parsed ??= { value: JSON.parse(raw) };
      return parsed.value;
    },
  };
}

const caches = new WeakMap<Runtime, ResponseCache>();

/** The runtime's cache (a reload starts a new, empty one), created on first use. */
export function responseCacheOf(runtime: Runtime): ResponseCache {
  let cache = caches.get(runtime);
  if (!cache) {
    cache = new ResponseCache(runtime.config.cache);
    caches.set(runtime, cache);
  }
  return cache;
}

export const responseCacheStage: CallStage = (ctx, next) => {
  const { runtime, chain, call } = ctx;
  if (!runtime.config.cache.enabled) return next();
  const policy = cachePolicy(call.method, call.params, chain.bestHead);
  if (policy === undefined) return next();
  return responseCacheOf(runtime).answer(chain, call, policy, next, (hit) =>
    runtime.observer.cacheLookup?.(chain.name, hit),
  );
};
