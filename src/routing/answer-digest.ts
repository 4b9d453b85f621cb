// Answers compared in a canonical form: object keys sorted, hex text lower-cased, and members that
// honest nodes fill differently left out (EVM clients' totalDifficulty after the merge; Bitcoin Core's
// members counted from each node's own tip). The digest names an answer in disputes and in
// UNVERIFIED's data without showing its value.
import { createHash } from 'node:crypto';
import type { FamilyName } from '../config/family-names.js';
import { BITCOIN_TIP_RELATIVE } from '../families/bitcoin/tip-relative.js';
import type { CallAnswer } from './call-answer.js';

/** Members honest nodes of one chain may answer differently, per family. */
const NODE_VARIANT: Readonly<Record<FamilyName, ReadonlySet<string>>> = {
  evm: new Set(['totalDifficulty']),
  solana: new Set(),
  bitcoin: BITCOIN_TIP_RELATIVE,
  cometbft: new Set(),
};

function canonical(value: unknown, variant: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map((v) => canonical(v, variant));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (!variant.has(key)) out[key] = canonical((value as Record<string, unknown>)[key], variant);
  }
  return out;
}

/** A short digest of the answer's canonical form; an error answer by its code and data only. */
export function answerDigest(answer: CallAnswer, family: FamilyName): string {
  if (answer.kind === 'result') return resultDigest(answer.value, family);
  const variant = NODE_VARIANT[family];
  const error = safeParse(answer.raw) as { code?: unknown; data?: unknown } | undefined;
  return digest({ error: error?.code ?? null, data: canonical(error?.data ?? null, variant) });
}

/** The digest of a result value (a probe's answer), as answerDigest gives it for a result answer. */
export function resultDigest(value: unknown, family: FamilyName): string {
  return digest({ result: canonical(comparedPart(value), NODE_VARIANT[family]) });
}

function digest(form: unknown): string {
  return createHash('sha256').update(JSON.stringify(form)).digest('hex').slice(0, 16);
}

/**
 * Solana's `{context: {slot, apiVersion}, value}`: the value is compared, not the slot each node
 * happened to answer at (nor its version).
 */
function comparedPart(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 2 && 'context' in value && 'value' in value) return (value as { value: unknown }).value;
  return value;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
