// The hash of a signed raw transaction, computed locally: keccak-256 of the bytes sent to
// eth_sendRawTransaction (EIP-2718: type byte + payload for typed transactions, the RLP for legacy).
// A blob transaction in its network form (EIP-4844: 0x03 || rlp([tx, blobs, commitments, proofs]),
// EIP-7594 adds a wrapper version) is hashed over 0x03 || rlp(tx) only, as nodes do.
import { keccak_256 } from '@noble/hashes/sha3';

const HEX = /^0x(?:[0-9a-fA-F]{2})+$/;
const BLOB_TX_TYPE = 0x03;

interface RlpItem {
  list: boolean;
  /** Offset of the item's first byte (its prefix). */
  start: number;
  /** Offset of its payload. */
  payload: number;
  /** Offset just past the item. */
  end: number;
}

/** The RLP item starting at `offset`, or undefined when the bytes cannot hold it. */
function rlpItem(bytes: Uint8Array, offset: number): RlpItem | undefined {
  const b = bytes[offset];
  if (b === undefined) return undefined;
  let list = false;
  let payload = offset + 1;
  let length: number;
  if (b < 0x80) return { list: false, start: offset, payload: offset, end: offset + 1 };
  if (b <= 0xb7) length = b - 0x80;
  else if (b <= 0xbf || b >= 0xf8) {
    list = b >= 0xf8;
    const lengthOfLength = b - (list ? 0xf7 : 0xb7);
    if (lengthOfLength > 6 || offset + 1 + lengthOfLength > bytes.length) return undefined;
    length = 0;
    for (let i = 0; i < lengthOfLength; i++) length = length * 256 + bytes[offset + 1 + i]!;
    payload = offset + 1 + lengthOfLength;
  } else {
    list = true;
    length = b - 0xc0;
  }
  const end = payload + length;
  return end <= bytes.length ? { list, start: offset, payload, end } : undefined;
}

function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** The bytes whose keccak-256 is the transaction hash (the whole input unless a blob network wrapper). */
function hashedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== BLOB_TX_TYPE) return bytes;
  const outer = rlpItem(bytes, 1);
  if (!outer?.list) return bytes;
  const first = rlpItem(bytes, outer.payload);
  // Canonical form: the first field is the chain id (a string). Network form: the first field is the tx.
  if (!first?.list || first.end > outer.end) return bytes;
  const out = new Uint8Array(1 + first.end - first.start);
  out[0] = BLOB_TX_TYPE;
  out.set(bytes.subarray(first.start, first.end), 1);
  return out;
}

/** `0x`-prefixed keccak-256 transaction hash, or undefined when `raw` is not a non-empty hex string. */
export function transactionHash(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !HEX.test(raw)) return undefined;
  const bytes = Uint8Array.from(Buffer.from(raw.slice(2), 'hex'));
  return toHex(keccak_256(hashedBytes(bytes)));
}
