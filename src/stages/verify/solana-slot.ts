// Solana: one slot for every participant. agave serves account state only at its current bank, so a
// read cannot name an old slot; `minContextSlot` is the pin it offers: every participant answers from
// that slot or later, and a node behind it refuses (-32016, missing state: no vote, no dispute)
// instead of outvoting the truth with older state. The `value` is compared, not the `context`.
import { FINALIZED_DEPTH, readCommitment, withMinContextSlot } from '../../families/solana/context-slot.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import { derivedCall } from '../stage-calls.js';
import type { VerifyDomain } from './participants.js';

/**
 * The slot to pin: the highest (probed, confirmed) head that `quorum` distinct domains have reached,
 * so the participants exist and one upstream claiming a far head cannot make everyone refuse; at
 * `finalized` (agave's default commitment) the rooted slot that far behind.
 */
function pinSlot(call: RpcCall, domains: readonly VerifyDomain[], quorum: number): number | undefined {
  const heads = domains
    .map((d) => Math.max(...d.members.map((u) => u.head ?? -1)))
    .filter((h) => h >= 0)
    .sort((a, b) => b - a);
  const head = heads[quorum - 1];
  if (head === undefined) return undefined;
  const finalized = readCommitment(call.method, call.params) === 'finalized';
  return Math.max(0, finalized ? head - FINALIZED_DEPTH : head);
}

/** The call with `minContextSlot` pinned; the call itself when the method takes none or no head is known. */
export function pinSolanaSlot(call: RpcCall, domains: readonly VerifyDomain[], quorum: number): RpcCall {
  const slot = pinSlot(call, domains, quorum);
  if (slot === undefined) return call;
  const params = withMinContextSlot(call.method, call.params, slot);
  return params ? derivedCall(call, call.method, params) : call;
}
