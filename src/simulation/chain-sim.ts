// One simulated chain head shared by every fake provider of a fleet, so that they all serve "the same
// chain": identical block hashes, one transaction pool, one head that advances for everybody.

import { sha256Hex, toQuantity } from './sim-hex.js';
import { blockLogs, logsBloom, type SimLog } from './sim-logs.js';

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

export interface SimTransaction {
  hash: string;
  raw: string;
  from: string;
  /** null while pending; set when advance() mines it. */
  blockNumber: number | null;
  index: number;
}

const ZERO_HASH = `0x${'0'.repeat(64)}`;
const EMPTY_BLOOM = `0x${'0'.repeat(512)}`;
// keccak256 of the RLP of an empty list / empty trie: what real nodes report for empty blocks.
const EMPTY_UNCLES = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_TRIE = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
// Bounds the hash -> number index so a long benchmark cannot grow it without limit.
const HASH_INDEX_LIMIT = 100_000;
// Bounds the other per-block memories (orphans, production times, generated logs) the same way.
const ORPHAN_LIMIT = 10_000;
const PRODUCED_LIMIT = 100_000;
const CONTENT_CACHE_LIMIT = 4096;

/** Deletes the oldest entries of an insertion-ordered map until it has room for one more. */
function makeRoom<K, V>(map: Map<K, V>, limit: number): void {
  while (map.size >= limit) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

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
  private readonly txs = new Map<string, SimTransaction>();
  private readonly txsByBlock = new Map<number, string[]>();
  private pending: string[] = [];
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
  }

  /** Mines n blocks; pending transactions land in the first one. */
  advance(n = 1): number {
    for (let i = 0; i < n; i++) {
      this.head++;
      if (this.pending.length > 0) {
        this.pending.forEach((hash, index) => {
          const tx = this.txs.get(hash)!;
          tx.blockNumber = this.head;
          tx.index = index;
        });
        this.txsByBlock.set(this.head, this.pending);
        this.pending = [];
      }
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
      const firstTxIndex = this.txsByBlock.get(n)?.length ?? 0;
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
    const txHashes = this.txsByBlock.get(n) ?? [];
    const bloom = this.logsPerBlock === 0 ? EMPTY_BLOOM : this.content(n, fork, hash).bloom;
    return {
      number: toQuantity(n),
      hash,
      parentHash,
      nonce: '0x0000000000000000',
      sha3Uncles: EMPTY_UNCLES,
      logsBloom: bloom,
      transactionsRoot: txHashes.length === 0 ? EMPTY_TRIE : `0x${sha256Hex(txHashes.join(''))}`,
      stateRoot: `0x${sha256Hex(fork === 0 ? `state:${this.chainId}:${n}` : `state:${this.chainId}:${n}:${fork}`)}`,
      receiptsRoot: EMPTY_TRIE,
      miner: '0x0000000000000000000000000000000000000000',
      difficulty: '0x0',
      totalDifficulty: '0x0',
      extraData: '0x',
      size: toQuantity(600 + txHashes.length * 110),
      gasLimit: '0x1c9c380',
      gasUsed: toQuantity(txHashes.length * 21000),
      timestamp: toQuantity(this.timestampOf(n)),
      baseFeePerGas: '0x3b9aca00',
      mixHash: ZERO_HASH,
      withdrawals: [],
      withdrawalsRoot: EMPTY_TRIE,
      uncles: [],
      transactions: fullTx ? txHashes.map((h) => this.transaction(h)) : txHashes.slice(),
    };
  }

  /** Adds a raw transaction to the pool; the hash is sha256 of the raw hex (keccak-like enough). */
  sendRawTransaction(raw: string): { hash: string; alreadyKnown: boolean } {
    const hash = `0x${sha256Hex(raw.toLowerCase())}`;
    if (this.txs.has(hash)) return { hash, alreadyKnown: true };
    const from = `0x${sha256Hex(`from:${raw}`).slice(0, 40)}`;
    this.txs.set(hash, { hash, raw, from, blockNumber: null, index: this.pending.length });
    this.pending.push(hash);
    this.emit({ kind: 'pendingTransaction', hash });
    return { hash, alreadyKnown: false };
  }

  hasTransaction(hash: string): boolean {
    return this.txs.has(hash.toLowerCase());
  }

  /** eth_getTransactionByHash shape, or null for unknown hashes. */
  transaction(hash: string): Record<string, unknown> | null {
    const tx = this.txs.get(hash.toLowerCase());
    if (!tx) return null;
    const mined = tx.blockNumber !== null;
    return {
      hash: tx.hash,
      blockHash: mined ? this.blockHash(tx.blockNumber!) : null,
      blockNumber: mined ? toQuantity(tx.blockNumber!) : null,
      transactionIndex: mined ? toQuantity(tx.index) : null,
      from: tx.from,
      to: `0x${sha256Hex(`to:${tx.raw}`).slice(0, 40)}`,
      value: '0x0',
      gas: '0x5208',
      gasPrice: '0x3b9aca00',
      input: '0x',
      nonce: '0x0',
      type: '0x0',
      chainId: toQuantity(this.chainId),
      v: toQuantity(this.chainId * 2 + 35),
      r: `0x${sha256Hex(`r:${tx.raw}`)}`,
      s: `0x${sha256Hex(`s:${tx.raw}`)}`,
    };
  }

  /** eth_getTransactionReceipt shape: null while unknown or still pending. */
  receipt(hash: string): Record<string, unknown> | null {
    const tx = this.txs.get(hash.toLowerCase());
    if (!tx || tx.blockNumber === null) return null;
    return {
      transactionHash: tx.hash,
      transactionIndex: toQuantity(tx.index),
      blockHash: this.blockHash(tx.blockNumber),
      blockNumber: toQuantity(tx.blockNumber),
      from: tx.from,
      to: `0x${sha256Hex(`to:${tx.raw}`).slice(0, 40)}`,
      cumulativeGasUsed: toQuantity((tx.index + 1) * 21000),
      gasUsed: '0x5208',
      effectiveGasPrice: '0x3b9aca00',
      contractAddress: null,
      logs: [],
      logsBloom: EMPTY_BLOOM,
      status: '0x1',
      type: '0x0',
    };
  }
}
