// Solana and CometBFT: one slot or height for every participant, so honest nodes a little apart agree.
// - Solana: agave serves account state only at its current bank, so a read cannot name an old slot;
//   `minContextSlot` is the pin it offers: every participant answers from that slot or later, and a
//   node behind it refuses (-32016, missing state: no vote, no dispute) instead of outvoting the truth
//   with older state. The `value` is compared, not the `context` (canonical.ts).
// - CometBFT: a read of the latest height (block, abci_query, ...) names the height instead; a node not
//   there yet refuses the same way.
// Bitcoin reads name their block by hash or height already (tip-only ones, getblockcount and
// getbestblockhash, are not verified by default); their tip-relative members are left out of the
// comparison instead (canonical.ts).
import type { FamilyName } from '../../config/family-names.js';
import { heightBelowHead, withHeight } from '../../families/cometbft/pinned-height.js';
import { FINALIZED_DEPTH, readCommitment, withMinContextSlot } from '../../families/solana/context-slot.js';
import type { VerifyDomain } from '../../routing/verify-domains.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import { derivedCall } from '../stage-calls.js';

/**
 * The highest probed head that `quorum` distinct domains have reached: the participants exist, and one
 * upstream claiming a far head cannot make everyone refuse.
 */
function quorumHead(domains: readonly VerifyDomain[], quorum: number): number | undefined {
  const heads = domains
    .map((d) => Math.max(...d.members.map((u) => u.head ?? -1)))
    .filter((h) => h >= 0)
    .sort((a, b) => b - a);
  return heads[quorum - 1];
}

/** The call pinned to the quorum's head; the call itself when it names its block or no head is known. */
export function pinToHead(
  family: FamilyName,
  call: RpcCall,
  domains: readonly VerifyDomain[],
  quorum: number,
): RpcCall {
  const head = quorumHead(domains, quorum);
  if (head === undefined) return call;
  let params: unknown;
  if (family === 'solana') {
    // The probed head is the confirmed slot; at `finalized` (agave's default) the rooted slot trails it.
    const finalized = readCommitment(call.method, call.params) === 'finalized';
    params = withMinContextSlot(
      call.method,
      call.params,
      Math.max(0, finalized ? head - FINALIZED_DEPTH : head),
    );
  } else if (family === 'cometbft') {
    params = withHeight(call.method, call.params, head - heightBelowHead(call.method));
  }
  return params === undefined ? call : derivedCall(call, call.method, params);
}
