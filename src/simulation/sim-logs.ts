// Deterministic event logs of a simulated block, and their logs bloom. Every provider of a fleet derives
// the same logs from (chain, height, fork), so they agree without sharing state; a reorg's new fork of a
// height gets different transaction hashes, topics and data but the same emitters and event kinds, so a
// filter that matched the orphaned logs matches their replacements too.

import { keccak_256 } from '@noble/hashes/sha3';
import { sha256Hex, toQuantity } from './sim-hex.js';

/** The contracts that emit: three fixed addresses. */
export const LOG_ADDRESSES = [
  '0x1111111111111111111111111111111111111111',
  '0x2222222222222222222222222222222222222222',
  '0x3333333333333333333333333333333333333333',
] as const;

/** topic0 of ERC-20 Transfer and Approval: the event kinds the simulated contracts emit. */
export const LOG_TOPIC0S = [
  '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
  '0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925',
] as const;

export interface SimLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed: boolean;
}

export interface LogBlockRef {
  chainId: number;
  number: number;
  /** 0 for the original block of a height; every reorg gives the heights it replaces a new fork. */
  fork: number;
  hash: string;
  /** Transactions before the log-emitting ones (sent ones), so indices do not collide. */
  firstTxIndex: number;
}

/** An address as a 32-byte topic, as indexed address arguments are encoded. */
function addressTopic(seed: string): string {
  return `0x${'0'.repeat(24)}${sha256Hex(seed).slice(0, 40)}`;
}

/**
 * The logs of one block: log i is its own transaction (index firstTxIndex + i), emitted by
 * LOG_ADDRESSES[(n + i) % 3] with topic0 LOG_TOPIC0S[(n + i) % 2] and varying topics 1 and 2.
 */
export function blockLogs(ref: LogBlockRef, count: number): SimLog[] {
  const logs: SimLog[] = [];
  for (let i = 0; i < count; i++) {
    const seed = `log:${ref.chainId}:${ref.number}:${ref.fork}:${i}`;
    logs.push({
      address: LOG_ADDRESSES[(ref.number + i) % LOG_ADDRESSES.length]!,
      topics: [
        LOG_TOPIC0S[(ref.number + i) % LOG_TOPIC0S.length]!,
        addressTopic(`${seed}:from`),
        addressTopic(`${seed}:to`),
      ],
      data: `0x${sha256Hex(`${seed}:data`)}`,
      blockNumber: toQuantity(ref.number),
      blockHash: ref.hash,
      transactionHash: `0x${sha256Hex(`${seed}:tx`)}`,
      transactionIndex: toQuantity(ref.firstTxIndex + i),
      logIndex: toQuantity(i),
      removed: false,
    });
  }
  return logs;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

/** The 2048-bit logs bloom of the yellow paper (3 bits per address and topic, from their keccak256). */
export function logsBloom(logs: readonly SimLog[]): string {
  const bloom = new Uint8Array(256);
  const add = (hex: string) => {
    const h = keccak_256(hexBytes(hex));
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
      bloom[255 - (bit >> 3)]! |= 1 << (bit & 7);
    }
  };
  for (const log of logs) {
    add(log.address);
    for (const topic of log.topics) add(topic);
  }
  return `0x${Buffer.from(bloom).toString('hex')}`;
}
