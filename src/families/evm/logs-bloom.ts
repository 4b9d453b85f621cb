// The 2048-bit logs bloom of a block header: every log's address and topics set three bits each
// (yellow paper, M3:2048). A log whose address or topics are not in its block's bloom is not in it.

import { hexToBytes } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3';

function inBloom(bloom: Uint8Array, item: Uint8Array): boolean {
  const hash = keccak_256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((hash[i]! << 8) | hash[i + 1]!) & 2047;
    if ((bloom[256 - 1 - (bit >> 3)]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

/** The log's address and each topic are in the header's bloom (a fabricated log usually is not). */
export function logInBloom(bloomHex: string, log: { address?: unknown; topics?: unknown }): boolean {
  try {
    const bloom = hexToBytes(bloomHex as `0x${string}`);
    if (bloom.length !== 256 || typeof log.address !== 'string' || !Array.isArray(log.topics)) return false;
    const items = [log.address, ...log.topics];
    return items.every(
      (item) => typeof item === 'string' && inBloom(bloom, hexToBytes(item as `0x${string}`)),
    );
  } catch {
    return false;
  }
}
