// One simulated chain head shared by every fake provider of a fleet, so that they all serve "the same
// chain": identical block hashes, one transaction pool, one head that advances for everybody.

import { createHash } from 'node:crypto';

export interface ChainSimOptions {
  chainId: number;
  /** Head at construction; blocks 0..startBlock exist from the start. */
  startBlock?: number;
  /** Auto-mining interval used by start(); also spaces block timestamps. */
  blockTimeMs?: number;
}

export interface SimTransaction {
  hash: string;
  raw: string;
  from: string;
  /** null while pending; set when advance() mines it. */
  blockNumber: number | null;
  index: number;
}

export type Hex = `0x${string}`;

const ZERO_HASH = `0x${'0'.repeat(64)}`;
const EMPTY_BLOOM = `0x${'0'.repeat(512)}`;
// keccak256 of the RLP of an empty list / empty trie: what real nodes report for empty blocks.
const EMPTY_UNCLES = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_TRIE = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
// Bounds the hash -> number index so a long benchmark cannot grow it without limit.
const HASH_INDEX_LIMIT = 100_000;

export function toQuantity(n: number | bigint): Hex {
  return `0x${n.toString(16)}`;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

export class ChainSim {
  readonly chainId: number;
  readonly blockTimeMs: number;
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

  constructor(opts: ChainSimOptions) {
    this.chainId = opts.chainId;
    this.startBlock = opts.startBlock ?? 0;
    this.head = this.startBlock;
    this.blockTimeMs = opts.blockTimeMs ?? 1000;
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
      for (const listener of this.headListeners) listener(this.head);
    }
    return this.head;
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

  /** Called after each mined block (e.g. to drive newHeads subscriptions). */
  onHead(listener: (head: number) => void): void {
    this.headListeners.push(listener);
  }

  blockHash(n: number): string {
    let hash = this.hashes.get(n);
    if (hash === undefined) {
      hash = `0x${sha256Hex(`block:${this.chainId}:${n}`)}`;
      if (this.hashes.size >= HASH_INDEX_LIMIT) {
        this.hashes.clear();
        this.numbersByHash.clear();
      }
      this.hashes.set(n, hash);
      this.numbersByHash.set(hash, n);
    }
    return hash;
  }

  /** Number of a block whose hash this chain handed out, if it is at or below the head. */
  blockNumberOf(hash: string): number | undefined {
    const n = this.numbersByHash.get(hash.toLowerCase());
    return n !== undefined && n <= this.head ? n : undefined;
  }

  timestampOf(n: number): number {
    const step = Math.max(1, Math.round(this.blockTimeMs / 1000));
    return this.startTimeSec + (n - this.startBlock) * step;
  }

  /** A plausible eth block object, or null when n is above the head (or negative). */
  block(n: number, fullTx = false): Record<string, unknown> | null {
    if (n < 0 || n > this.head || !Number.isSafeInteger(n)) return null;
    const txHashes = this.txsByBlock.get(n) ?? [];
    return {
      number: toQuantity(n),
      hash: this.blockHash(n),
      parentHash: n === 0 ? ZERO_HASH : this.blockHash(n - 1),
      nonce: '0x0000000000000000',
      sha3Uncles: EMPTY_UNCLES,
      logsBloom: EMPTY_BLOOM,
      transactionsRoot: txHashes.length === 0 ? EMPTY_TRIE : `0x${sha256Hex(txHashes.join(''))}`,
      stateRoot: `0x${sha256Hex(`state:${this.chainId}:${n}`)}`,
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
