// Base58 (Bitcoin alphabet), as Solana writes keys, hashes and signatures. Small and exact: leading zero
// bytes become leading '1's and back. Inputs here are short (32-byte hashes, 64-byte signatures), so
// the quadratic big-number loop is cheaper than pulling in a library.

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT: ReadonlyMap<string, number> = new Map([...ALPHABET].map((c, i) => [c, i]));
/** Longer strings are never a Solana key, hash or transaction we need to read. */
const MAX_DECODE_CHARS = 4096;

export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Digits in base 58, least significant first.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let k = digits.length - 1; k >= 0; k--) out += ALPHABET[digits[k]!];
  return out;
}

/** The bytes of a base58 string; undefined for any character outside the alphabet or an over-long input. */
export function base58Decode(text: string): Uint8Array | undefined {
  if (text.length > MAX_DECODE_CHARS) return undefined;
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  // Bytes, least significant first.
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    const digit = DIGIT.get(text[i]!);
    if (digit === undefined) return undefined;
    let carry = digit;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let k = 0; k < bytes.length; k++) out[zeros + k] = bytes[bytes.length - 1 - k]!;
  return out;
}
