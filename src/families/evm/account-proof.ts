// EIP-1186 proofs (eth_getProof) checked against a state root: the account's fields against the
// account trie, each storage slot against the account's storage root, code against the code hash.
// The Merkle-Patricia walk and RLP are @ethereumjs/mpt's and @ethereumjs/rlp's.
import { verifyMerkleProof } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToBigInt, bytesToHex, hexToBytes } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3';

/** keccak256 of the empty string: the code hash of an account without code. */
const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
/** The root of an empty trie: the storage root of an account without storage. */
const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

export interface ProvenAccount {
  nonce: bigint;
  balance: bigint;
  storageRoot: string;
  codeHash: string;
}

interface ProofAnswer {
  accountProof?: unknown;
  storageProof?: unknown;
  balance?: unknown;
  nonce?: unknown;
  codeHash?: unknown;
  storageHash?: unknown;
}

function bytesList(value: unknown): Uint8Array[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) throw new Error('proof nodes');
  return value.map((n) => hexToBytes(n as `0x${string}`));
}

function hexBytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new Error('not hex data');
  return hexToBytes(value as `0x${string}`);
}

/** The account the proof proves at `stateRoot`, and that the answer's own fields say the same. */
export async function provenAccount(
  stateRoot: string,
  address: string,
  answer: unknown,
): Promise<ProvenAccount> {
  const proof = answer as ProofAnswer;
  const value = await verifyMerkleProof(hexBytes(address), bytesList(proof.accountProof), {
    root: hexBytes(stateRoot),
    useKeyHashing: true,
  });
  const account: ProvenAccount =
    value === null
      ? { nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH }
      : decodeAccount(value);
  // The answer's own summary must match what the proof proves: a client may read either.
  if (
    BigInt(String(proof.balance)) !== account.balance ||
    BigInt(String(proof.nonce)) !== account.nonce ||
    String(proof.codeHash).toLowerCase() !== account.codeHash ||
    String(proof.storageHash).toLowerCase() !== account.storageRoot
  ) {
    throw new Error('the answer says other than its proof');
  }
  return account;
}

function decodeAccount(value: Uint8Array): ProvenAccount {
  const fields = RLP.decode(value);
  if (!Array.isArray(fields) || fields.length !== 4) throw new Error('not an account');
  const [nonce, balance, storageRoot, codeHash] = fields as Uint8Array[];
  return {
    nonce: bytesToBigInt(nonce!),
    balance: bytesToBigInt(balance!),
    storageRoot: bytesToHex(storageRoot!),
    codeHash: bytesToHex(codeHash!),
  };
}

/** The 32-byte value of `slot` the answer's storage proof proves under the account's storage root. */
export async function provenSlot(account: ProvenAccount, slot: string, answer: unknown): Promise<string> {
  const entries = (answer as ProofAnswer).storageProof;
  if (!Array.isArray(entries) || entries.length !== 1) throw new Error('expected one storage proof');
  const entry = entries[0] as { proof?: unknown; value?: unknown };
  const key = hexBytes(normalizeSlot(slot));
  const value = await verifyMerkleProof(key, bytesList(entry.proof), {
    root: hexBytes(account.storageRoot),
    useKeyHashing: true,
  });
  const word = value === null ? 0n : bytesToBigInt(RLP.decode(value) as Uint8Array);
  if (BigInt(String(entry.value)) !== word) throw new Error('the answer says other than its proof');
  return `0x${word.toString(16).padStart(64, '0')}`;
}

/** A slot as clients send it (`0x0`, `0x00…01`) as the 32-byte word eth_getProof takes. */
export function normalizeSlot(slot: string): string {
  const digits = slot.replace(/^0x/i, '') || '0';
  if (!/^[0-9a-fA-F]{1,64}$/.test(digits)) throw new Error('not a storage slot');
  return `0x${digits.padStart(64, '0')}`;
}

/** The code's keccak256 is the account's proven code hash. */
export function codeMatches(account: ProvenAccount, code: unknown): boolean {
  try {
    return bytesToHex(keccak_256(hexBytes(code))) === account.codeHash;
  } catch {
    return false;
  }
}
