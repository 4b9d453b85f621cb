// A Bitcoin transaction id, computed locally: double SHA-256 of the transaction serialized WITHOUT its
// witness (BIP 141), shown byte-reversed as Bitcoin Core does. A segwit transaction (BIP 144: marker
// 0x00, flag 0x01 after the version) is re-serialized as version | inputs | outputs | locktime; the
// hash of the full bytes would be its wtxid, which sendrawtransaction does not answer.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '../bytes.js';

/** A transaction is at most 4M weight units: no valid serialization is longer than 4 MB. */
const MAX_TX_BYTES = 4_000_000;

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** Skips n bytes; false when they are not there. */
  skip(n: number): boolean {
    if (n < 0 || this.offset + n > this.bytes.length) return false;
    this.offset += n;
    return true;
  }

  byte(): number | undefined {
    const b = this.bytes[this.offset];
    if (b !== undefined) this.offset++;
    return b;
  }

  /** CompactSize: 1, 3, 5 or 9 bytes, little-endian. Values above the buffer size are refused. */
  compactSize(): number | undefined {
    const first = this.byte();
    if (first === undefined) return undefined;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    if (this.offset + width > this.bytes.length) return undefined;
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = value * 256 + this.bytes[this.offset + i]!;
    this.offset += width;
    return value <= this.bytes.length ? value : undefined;
  }

  /** Skips a length-prefixed byte string (script, witness item). */
  skipVarBytes(): boolean {
    const length = this.compactSize();
    return length !== undefined && this.skip(length);
  }
}

/** Offsets of the parts that make the txid: [start, end) of inputs+outputs, and the locktime offset. */
interface Layout {
  segwit: boolean;
  bodyStart: number;
  bodyEnd: number;
  locktime: number;
}

function layout(bytes: Uint8Array): Layout | undefined {
  const r = new Reader(bytes);
  if (!r.skip(4)) return undefined; // version
  let segwit = false;
  // BIP 144: a zero input count is the marker when followed by a non-zero flag.
  if (bytes[4] === 0x00 && bytes[5] !== undefined && bytes[5] !== 0x00) {
    if (bytes[5] !== 0x01) return undefined;
    segwit = true;
    r.skip(2);
  }
  const bodyStart = r.offset;
  const inputs = r.compactSize();
  if (inputs === undefined) return undefined;
  for (let i = 0; i < inputs; i++) {
    // Outpoint (32-byte txid + 4-byte index), scriptSig, sequence.
    if (!r.skip(36) || !r.skipVarBytes() || !r.skip(4)) return undefined;
  }
  const outputs = r.compactSize();
  if (outputs === undefined) return undefined;
  for (let i = 0; i < outputs; i++) {
    if (!r.skip(8) || !r.skipVarBytes()) return undefined; // value, scriptPubKey
  }
  const bodyEnd = r.offset;
  if (segwit) {
    if (inputs === 0) return undefined;
    for (let i = 0; i < inputs; i++) {
      const items = r.compactSize();
      if (items === undefined) return undefined;
      for (let k = 0; k < items; k++) if (!r.skipVarBytes()) return undefined;
    }
  }
  const locktime = r.offset;
  if (!r.skip(4) || r.offset !== bytes.length) return undefined;
  return { segwit, bodyStart, bodyEnd, locktime };
}

/** The bytes the txid hashes: the whole transaction when legacy, witness stripped when segwit. */
function txidPreimage(bytes: Uint8Array, at: Layout): Uint8Array {
  if (!at.segwit) return bytes;
  const body = bytes.subarray(at.bodyStart, at.bodyEnd);
  const out = new Uint8Array(4 + body.length + 4);
  out.set(bytes.subarray(0, 4), 0);
  out.set(body, 4);
  out.set(bytes.subarray(at.locktime, at.locktime + 4), 4 + body.length);
  return out;
}

/** txid (hex, as Core shows it) of a raw transaction; undefined when the bytes are not one transaction. */
export function bitcoinTxid(raw: Uint8Array): string | undefined {
  if (raw.length > MAX_TX_BYTES) return undefined;
  const at = layout(raw);
  if (!at) return undefined;
  const hash = sha256(sha256(txidPreimage(raw, at)));
  return bytesToHex(hash.reverse());
}

/** wtxid: the hash of the full serialization (equals the txid for a legacy transaction). */
export function bitcoinWtxid(raw: Uint8Array): string | undefined {
  if (raw.length > MAX_TX_BYTES || !layout(raw)) return undefined;
  return bytesToHex(sha256(sha256(raw)).reverse());
}
