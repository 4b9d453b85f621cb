// One simulated chain head shared by every fake provider of a fleet, so that they all serve "the same
// chain": identical block hashes, one transaction pool, one head that advances for everybody.

import { makeRoom } from './bounded-map.js';
import { EMPTY_BLOOM, ethBlockObject, ZERO_HASH } from './eth-block-shape.js';
import { sha256Hex } from './sim-hex.js';
import { blockLogs, logsBloom, type SimLog } from './sim-logs.js';
import { TransactionPool } from './transaction-pool.js';

export interface ChainSimOptions {
  chainId: number;
  /** Head at construction; blocks 0..startBlock exist from the start. */
  startBlock?: number | undefined;
  /** Auto-mining interval used by start(); also spaces block timestamps. */
  blockTimeMs?: number | undefined;
  /**
   * Event logs in every block (sim-logs.ts); 0 (default) keeps blocks empty and eth_getLogs answers [].
   * Blocks with logs get a real logs bloom.
   */
  logsPerBlock?: number | undefined;
}

/** A block by height and hash, as chain events and reorgs report it. */
export interface BlockRef {
  number: number;
  hash: string;
}

/** What the chain tells its listeners (the fake providers' WebSocket feeds). */
export type ChainEvent =
  | { kind: 'block'; block: BlockRef }
  /** The last blocks were replaced: orphaned and adopted are oldest first and of equal length. */
  | { kind: 'reorg'; orphaned: BlockRef[]; adopted: BlockRef[] }
  | { kind: 'pendingTransaction'; hash: string };

/** A block that was canonical once and lost a reorg: still served by hash, as geth keeps side chains. */
interface OrphanBlock {
  number: number;
  fork: number;
  parentHash: string;
}

interface BlockContent {
  logs: SimLog[];
  bloom: string;
}

// Bounds the hash -> number index so a long benchmark cannot grow it without limit.
const HASH_INDEX_LIMIT = 100_000;
// Bounds the other per-block memories (orphans, production times, generated logs) the same way.
const ORPHAN_LIMIT = 10_000;
const PRODUCED_LIMIT = 100_000;
const CONTENT_CACHE_LIMIT = 4096;

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class ChainSim {
  readonly chainId: number;
  readonly blockTimeMs: number;
  readonly logsPerBlock: number;
  head: number;
  private readonly startBlock: number;
  private readonly startTimeSec: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly hashes = new Map<number, string>();
  private readonly numbersByHash = new Map<string, number>();
  private readonly pool: TransactionPool;
  private readonly headListeners: Array<(head: number) => void> = [];
  private readonly eventListeners: Array<(event: ChainEvent) => void> = [];
  /** Fork of each height that a reorg replaced (absent: the original fork 0). */
  private readonly forks = new Map<number, number>();
  private lastFork = 0;
  private readonly orphans = new Map<string, OrphanBlock>();
  private readonly producedAt = new Map<string, number>();
  private readonly contents = new Map<string, BlockContent>();

  constructor(opts: ChainSimOptions) {
    this.chainId = opts.chainId;
    this.startBlock = opts.startBlock ?? 0;
    this.head = this.startBlock;
    this.blockTimeMs = opts.blockTimeMs ?? 1000;
    this.logsPerBlock = Math.max(0, Math.floor(opts.logsPerBlock ?? 0));
    this.startTimeSec = Math.floor(Date.now() / 1000);
    this.pool = new TransactionPool(this.chainId, (n) => this.blockHash(n));
  }

  /** Mines n blocks; pending transactions land in the first one. */
  advance(n = 1): number {
    for (let i = 0; i < n; i++) {
      this.head++;
      this.pool.mineInto(this.head);
      const hash = this.blockHash(this.head);
      this.markProduced(hash);
      this.emit({ kind: 'block', block: { number: this.head, hash } });
      for (const listener of this.headListeners) listener(this.head);
    }
    return this.head;
  }

  /**
   * Replaces the last `depth` canonical blocks with a new fork of the same height (new hashes, new
   * logs); the replaced ones stay retrievable by hash. Listeners get one reorg event, then head
   * listeners the (unchanged) head, so newHeads feeds announce the new head block.
   */
  reorg(depth: number): { orphaned: BlockRef[]; adopted: BlockRef[] } {
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > this.head) {
      throw new Error(`chain: reorg depth ${depth} must be between 1 and the head (${this.head})`);
    }
    const orphaned: BlockRef[] = [];
    const adopted: BlockRef[] = [];
    const first = this.head - depth + 1;
    // Record the old branch completely before any height changes fork.
    for (let n = first; n <= this.head; n++) {
      const hash = this.blockHash(n);
      makeRoom(this.orphans, ORPHAN_LIMIT);
      this.orphans.set(hash, { number: n, fork: this.forkOf(n), parentHash: this.blockHash(n - 1) });
      orphaned.push({ number: n, hash });
    }
    const fork = ++this.lastFork;
    for (let n = first; n <= this.head; n++) {
      this.forks.set(n, fork);
      this.hashes.delete(n);
    }
    for (let n = first; n <= this.head; n++) {
      const hash = this.blockHash(n);
      this.markProduced(hash);
      adopted.push({ number: n, hash });
    }
    this.emit({ kind: 'reorg', orphaned, adopted });
    for (const listener of this.headListeners) listener(this.head);
    return { orphaned, adopted };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.advance(), this.blockTimeMs);
    // The chain must never keep a test or benchmark process alive on its own.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called after each mined block, and with the same head after a reorg. */
  onHead(listener: (head: number) => void): void {
    this.headListeners.push(listener);
  }

  /** Called for every mined block, reorg and newly pending transaction. */
  onEvent(listener: (event: ChainEvent) => void): void {
    this.eventListeners.push(listener);
  }

  private emit(event: ChainEvent): void {
    for (const listener of this.eventListeners) listener(event);
  }

  private forkOf(n: number): number {
    return this.forks.get(n) ?? 0;
  }

  private markProduced(hash: string): void {
    makeRoom(this.producedAt, PRODUCED_LIMIT);
    this.producedAt.set(hash, epochMs());
  }

  /** Hash of the canonical block n (whether or not it is mined yet). */
  blockHash(n: number): string {
    let hash = this.hashes.get(n);
    if (hash === undefined) {
      const fork = this.forkOf(n);
      // Fork 0 keeps the original formula, so chains without reorgs hash as they always did.
      hash = `0x${sha256Hex(fork === 0 ? `block:${this.chainId}:${n}` : `block:${this.chainId}:${n}:${fork}`)}`;
      if (this.hashes.size >= HASH_INDEX_LIMIT) {
        this.hashes.clear();
        this.numbersByHash.clear();
      }
      this.hashes.set(n, hash);
      this.numbersByHash.set(hash, n);
    }
    return hash;
  }

  /** Number of a canonical block whose hash this chain handed out, if it is at or below the head. */
  blockNumberOf(hash: string): number | undefined {
    const lower = hash.toLowerCase();
    const n = this.numbersByHash.get(lower);
    return n !== undefined && n <= this.head && this.blockHash(n) === lower ? n : undefined;
  }

  /** Any block this chain knows by hash: canonical, or orphaned by a reorg. */
  knownBlock(hash: string): { number: number; canonical: boolean } | undefined {
    const lower = hash.toLowerCase();
    const n = this.blockNumberOf(lower);
    if (n !== undefined) return { number: n, canonical: true };
    const orphan = this.orphans.get(lower);
    return orphan ? { number: orphan.number, canonical: false } : undefined;
  }

  /** Hashes of the canonical blocks from..to (inclusive, clamped to 0..head), for tests' assertions. */
  canonicalHashes(from: number, to: number): string[] {
    const out: string[] = [];
    for (let n = Math.max(0, from); n <= Math.min(to, this.head); n++) out.push(this.blockHash(n));
    return out;
  }

  /** Every log of the canonical blocks from..to (inclusive, clamped to 0..head), in chain order. */
  canonicalLogs(from: number, to: number): SimLog[] {
    if (this.logsPerBlock === 0) return [];
    const out: SimLog[] = [];
    for (let n = Math.max(0, from); n <= Math.min(to, this.head); n++) out.push(...this.logsAt(n));
    return out;
  }

  /** Logs of the canonical block n ([] above the head). */
  logsAt(n: number): SimLog[] {
    if (this.logsPerBlock === 0 || n < 0 || n > this.head) return [];
    return this.content(n, this.forkOf(n), this.blockHash(n)).logs;
  }

  /** Logs of any known block by hash (orphans included); undefined for an unknown hash. */
  logsOfHash(hash: string): SimLog[] | undefined {
    const lower = hash.toLowerCase();
    const n = this.blockNumberOf(lower);
    if (n !== undefined) return this.logsAt(n);
    const orphan = this.orphans.get(lower);
    if (!orphan) return undefined;
    return this.logsPerBlock === 0 ? [] : this.content(orphan.number, orphan.fork, lower).logs;
  }

  /**
   * Epoch ms (sub-ms precision) when the canonical block n, or the block with this hash, was mined or
   * adopted by a reorg; undefined for blocks that existed from the start or are unknown.
   */
  producedAtMs(block: number | string): number | undefined {
    const hash = typeof block === 'number' ? (block <= this.head ? this.blockHash(block) : '') : block;
    return this.producedAt.get(hash.toLowerCase());
  }

  /** Generated logs and bloom of one block, cached by hash (bounded). */
  private content(n: number, fork: number, hash: string): BlockContent {
    let c = this.contents.get(hash);
    if (!c) {
      const firstTxIndex = this.pool.hashesIn(n).length;
      const logs = blockLogs(
        { chainId: this.chainId, number: n, fork, hash, firstTxIndex },
        this.logsPerBlock,
      );
      c = { logs, bloom: logs.length === 0 ? EMPTY_BLOOM : logsBloom(logs) };
      makeRoom(this.contents, CONTENT_CACHE_LIMIT);
      this.contents.set(hash, c);
    }
    return c;
  }

  timestampOf(n: number): number {
    const step = Math.max(1, Math.round(this.blockTimeMs / 1000));
    return this.startTimeSec + (n - this.startBlock) * step;
  }

  /** A plausible eth block object, or null when n is above the head (or negative). */
  block(n: number, fullTx = false): Record<string, unknown> | null {
    if (n < 0 || n > this.head || !Number.isSafeInteger(n)) return null;
    return this.blockObject(
      n,
      this.forkOf(n),
      this.blockHash(n),
      n === 0 ? ZERO_HASH : this.blockHash(n - 1),
      fullTx,
    );
  }

  /** Any known block by hash, orphans included (as geth serves side-chain blocks); null when unknown. */
  blockByHash(hash: string, fullTx = false): Record<string, unknown> | null {
    const lower = hash.toLowerCase();
    const n = this.blockNumberOf(lower);
    if (n !== undefined) return this.block(n, fullTx);
    const orphan = this.orphans.get(lower);
    return orphan ? this.blockObject(orphan.number, orphan.fork, lower, orphan.parentHash, fullTx) : null;
  }

  private blockObject(
    n: number,
    fork: number,
    hash: string,
    parentHash: string,
    fullTx: boolean,
  ): Record<string, unknown> {
    const txHashes = this.pool.hashesIn(n);
    return ethBlockObject({
      chainId: this.chainId,
      number: n,
      fork,
      hash,
      parentHash,
      logsBloom: this.logsPerBlock === 0 ? EMPTY_BLOOM : this.content(n, fork, hash).bloom,
      txHashes,
      timestampSec: this.timestampOf(n),
      transactions: fullTx ? txHashes.map((h) => this.transaction(h)) : txHashes.slice(),
    });
  }

  /** Adds a raw transaction to the pool (transaction-pool.ts); listeners hear of new ones. */
  sendRawTransaction(raw: string): { hash: string; alreadyKnown: boolean } {
    const sent = this.pool.add(raw);
    if (!sent.alreadyKnown) this.emit({ kind: 'pendingTransaction', hash: sent.hash });
    return sent;
  }

  hasTransaction(hash: string): boolean {
    return this.pool.has(hash);
  }

  /** eth_getTransactionByHash shape, or null for unknown hashes. */
  transaction(hash: string): Record<string, unknown> | null {
    return this.pool.transaction(hash);
  }

  /** eth_getTransactionReceipt shape: null while unknown or still pending. */
  receipt(hash: string): Record<string, unknown> | null {
    return this.pool.receipt(hash);
  }
}
