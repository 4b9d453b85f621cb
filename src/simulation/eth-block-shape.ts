// The eth block object the simulated chain serves (eth_getBlockByNumber / eth_getBlockByHash shape).

import { sha256Hex, toQuantity } from './sim-hex.js';

export const ZERO_HASH = `0x${'0'.repeat(64)}`;
export const EMPTY_BLOOM = `0x${'0'.repeat(512)}`;
// keccak256 of the RLP of an empty list / empty trie: what real nodes report for empty blocks.
const EMPTY_UNCLES = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_TRIE = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

/** What a block object is made of: the chain decides these, the shape fills in the rest. */
export interface BlockFields {
  chainId: number;
  number: number;
  fork: number;
  hash: string;
  parentHash: string;
  logsBloom: string;
  /** Hashes of the block's transactions, in block order. */
  txHashes: readonly string[];
  timestampSec: number;
  /** The transactions field as served: hashes, or full transaction objects. */
  transactions: unknown[];
}

/** A plausible eth block object. */
export function ethBlockObject(b: BlockFields): Record<string, unknown> {
  const { chainId, number: n, fork, txHashes } = b;
  return {
    number: toQuantity(n),
    hash: b.hash,
    parentHash: b.parentHash,
    nonce: '0x0000000000000000',
    sha3Uncles: EMPTY_UNCLES,
    logsBloom: b.logsBloom,
    transactionsRoot: txHashes.length === 0 ? EMPTY_TRIE : `0x${sha256Hex(txHashes.join(''))}`,
    stateRoot: `0x${sha256Hex(fork === 0 ? `state:${chainId}:${n}` : `state:${chainId}:${n}:${fork}`)}`,
    receiptsRoot: EMPTY_TRIE,
    miner: '0x0000000000000000000000000000000000000000',
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: '0x',
    size: toQuantity(600 + txHashes.length * 110),
    gasLimit: '0x1c9c380',
    gasUsed: toQuantity(txHashes.length * 21000),
    timestamp: toQuantity(b.timestampSec),
    baseFeePerGas: '0x3b9aca00',
    mixHash: ZERO_HASH,
    withdrawals: [],
    withdrawalsRoot: EMPTY_TRIE,
    uncles: [],
    transactions: b.transactions,
  };
}
