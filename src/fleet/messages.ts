// What fleet members tell each other over pub/sub (Redis, or the cluster primary): one JSON object per
// message, versioned. decode() accepts only what this version writes; anything else (another version,
// a truncated or foreign payload) is undefined, and the member counts it and ignores it. Pure.
import type { Cordon } from '../cordons/cordon-request.js';

export const MESSAGE_VERSION = 1;

export type FleetEvent =
  /** A failure domain of `chain` opened on the sender. */
  | { kind: 'domain_open'; chain: string; key: string }
  /** An upstream's own breaker opened on the sender. */
  | { kind: 'upstream_open'; chain: string; upstream: string }
  /** The sender saw the upstream answer for another chain. */
  | { kind: 'wrong_chain'; chain: string; upstream: string; chainId: number | null }
  /** The sender showed a client block `head`: nobody may answer eth_blockNumber below it. */
  | { kind: 'served_head'; chain: string; head: number }
  | { kind: 'cordon'; cordon: Cordon }
  | { kind: 'uncordon'; target: string };

export type FleetMessage = FleetEvent & { v: typeof MESSAGE_VERSION; from: string };

export function encode(from: string, event: FleetEvent): string {
  return JSON.stringify({ v: MESSAGE_VERSION, from, ...event });
}

const MAX_TEXT = 200;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function isCordon(v: unknown): v is Cordon {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    isText(c.target) &&
    typeof c.reason === 'string' &&
    c.reason.length <= 1000 &&
    isCount(c.createdAtMs) &&
    isCount(c.expiresAtMs) &&
    isText(c.by)
  );
}

/** The cordon fields only: a message may carry more, a stored cordon does not. */
export function cordonOf(v: unknown): Cordon | undefined {
  if (!isCordon(v)) return undefined;
  const { target, reason, createdAtMs, expiresAtMs, by } = v;
  return { target, reason, createdAtMs, expiresAtMs, by };
}

export function decode(text: string): FleetMessage | undefined {
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    m = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (m.v !== MESSAGE_VERSION || !isText(m.from)) return undefined;
  const from = m.from;
  const v = MESSAGE_VERSION;
  switch (m.kind) {
    case 'domain_open':
      return isText(m.chain) && isText(m.key)
        ? { v, from, kind: m.kind, chain: m.chain, key: m.key }
        : undefined;
    case 'upstream_open':
      return isText(m.chain) && isText(m.upstream)
        ? { v, from, kind: m.kind, chain: m.chain, upstream: m.upstream }
        : undefined;
    case 'wrong_chain':
      return isText(m.chain) && isText(m.upstream) && (m.chainId === null || isCount(m.chainId))
        ? { v, from, kind: m.kind, chain: m.chain, upstream: m.upstream, chainId: m.chainId }
        : undefined;
    case 'served_head':
      return isText(m.chain) && isCount(m.head)
        ? { v, from, kind: m.kind, chain: m.chain, head: m.head }
        : undefined;
    case 'cordon': {
      const cordon = cordonOf(m.cordon);
      return cordon ? { v, from, kind: m.kind, cordon } : undefined;
    }
    case 'uncordon':
      return isText(m.target) ? { v, from, kind: m.kind, target: m.target } : undefined;
    default:
      return undefined;
  }
}
