// The simulated chain's one transaction pool: raw transactions sent to any provider of a fleet, pending
// until the chain mines them, then served as eth transactions and receipts.

import { EMPTY_BLOOM } from './eth-block-shape.js';
import { sha256Hex, toQuantity } from './sim-hex.js';

export interface SimTransaction {
  hash: string;
  raw: string;
  from: string;
  /** null while pending; set when advance() mines it. */
  blockNumber: number | null;
  index: number;
}

const NO_TRANSACTIONS: readonly string[] = [];

export class TransactionPool {
  private readonly chainId: number;
  /** Hash of the canonical block n, for the blockHash fields of mined transactions. */
  private readonly blockHash: (n: number) => string;
  private readonly txs = new Map<string, SimTransaction>();
  private readonly txsByBlock = new Map<number, string[]>();
  private pending: string[] = [];

  constructor(chainId: number, blockHash: (n: number) => string) {
    this.chainId = chainId;
    this.blockHash = blockHash;
  }

  /** Moves every pending transaction into block n (the block being mined). */
  mineInto(n: number): void {
    if (this.pending.length === 0) return;
    this.pending.forEach((hash, index) => {
      const tx = this.txs.get(hash)!;
      tx.blockNumber = n;
      tx.index = index;
    });
    this.txsByBlock.set(n, this.pending);
    this.pending = [];
  }

  /** Hashes of the transactions mined in block n, in block order. */
  hashesIn(n: number): readonly string[] {
    return this.txsByBlock.get(n) ?? NO_TRANSACTIONS;
  }

  /** Adds a raw transaction to the pool; the hash is sha256 of the raw hex (keccak-like enough). */
  add(raw: string): { hash: string; alreadyKnown: boolean } {
    const hash = `0x${sha256Hex(raw.toLowerCase())}`;
    if (this.txs.has(hash)) return { hash, alreadyKnown: true };
    const from = `0x${sha256Hex(`from:${raw}`).slice(0, 40)}`;
    this.txs.set(hash, { hash, raw, from, blockNumber: null, index: this.pending.length });
    this.pending.push(hash);
    return { hash, alreadyKnown: false };
  }

  has(hash: string): boolean {
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
