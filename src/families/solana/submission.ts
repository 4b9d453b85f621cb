// sendTransaction: the transaction id is its first signature (the fee payer's), base58, which is what
// the node answers on success. Computed locally from the wire bytes the client sends, so a duplicate
// ("already processed") can be answered with the id without asking anyone.
import { base58Decode, base58Encode } from '../base58.js';
import { base64ToBytes } from '../bytes.js';
import type { RpcErrorFields, TransactionSubmission } from '../family.js';
import { isRecord } from '../params.js';

const SEND = 'sendTransaction';
const SIGNATURE_BYTES = 64;

/**
 * The node has this transaction already: with preflight it fails simulation with
 * TransactionError::AlreadyProcessed, "This transaction has already been processed" (-32002, data.err
 * "AlreadyProcessed"); without preflight it answers the signature, which needs no rule.
 */
const ALREADY_PROCESSED = /already been processed|\balready processed\b|alreadyprocessed/i;

function isDuplicate(method: string, error: RpcErrorFields): boolean {
  if (method !== SEND) return false;
  if (ALREADY_PROCESSED.test(error.message)) return true;
  const data = error.data;
  return isRecord(data) && data.err === 'AlreadyProcessed';
}

/** Solana's short vector length (compact-u16): 1 to 3 bytes, 7 bits each. */
function compactU16(bytes: Uint8Array): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 3; i++) {
    const b = bytes[i];
    if (b === undefined) return undefined;
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

/** params[1].encoding: 'base58' is agave's default (deprecated), @solana/kit sends 'base64'. */
function wireBytes(params: unknown): Uint8Array | undefined {
  if (!Array.isArray(params) || typeof params[0] !== 'string') return undefined;
  const config = params[1];
  const encoding = isRecord(config) && typeof config.encoding === 'string' ? config.encoding : 'base58';
  if (encoding === 'base64') return base64ToBytes(params[0]);
  if (encoding === 'base58') return base58Decode(params[0]);
  return undefined;
}

/** The first signature of a signed wire transaction, base58; undefined when unsigned or malformed. */
export function solanaTransactionId(wire: Uint8Array): string | undefined {
  const count = compactU16(wire);
  if (!count || count.value < 1) return undefined;
  const signature = wire.subarray(count.size, count.size + SIGNATURE_BYTES);
  if (signature.length !== SIGNATURE_BYTES) return undefined;
  // An all-zero signature is a placeholder (partially signed transaction): no id yet.
  if (signature.every((b) => b === 0)) return undefined;
  return base58Encode(signature);
}

function transactionId(method: string, params: unknown): string | undefined {
  if (method !== SEND) return undefined;
  const wire = wireBytes(params);
  return wire ? solanaTransactionId(wire) : undefined;
}

export const solanaSubmission: TransactionSubmission = {
  methods: new Set([SEND]),
  isDuplicate,
  transactionId,
};
