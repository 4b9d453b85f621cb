// Who a Solana node is (genesis hash), where its head is (slot at a commitment) and whether it is
// healthy (getHealth). Slot, not block height: slots advance even when a leader skips its block, so
// all nodes of a cluster agree on the slot clock and lag is measured in slots (agave's own unit).
import { base58Decode } from '../base58.js';
import type { FamilyProbes, ProbeAnswer, Readiness } from '../family.js';

/**
 * 'confirmed': voted on by a supermajority, so every healthy node reports nearly the same slot, about a
 * slot behind 'processed' (which jitters per node and can fork) and ~32 ahead of 'finalized'.
 */
export const HEAD_COMMITMENT = 'confirmed';

/** Genesis and block hashes are 32-byte SHA-256 values in base58. */
function isBase58Hash(value: unknown): value is string {
  return typeof value === 'string' && base58Decode(value)?.length === 32;
}

function readSlot(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function readGenesisHash(answer: ProbeAnswer): string | undefined {
  return 'result' in answer && isBase58Hash(answer.result) ? answer.result : undefined;
}

function readHead(answer: ProbeAnswer): number | undefined {
  return 'result' in answer ? readSlot(answer.result) : undefined;
}

/** getHealth answers "ok", or -32005 "Node is behind by N slots" / "Node is unhealthy". */
function readHealth(answer: ProbeAnswer): Readiness {
  if ('result' in answer) {
    return answer.result === 'ok'
      ? { ready: true }
      : { ready: false, reason: `getHealth answered ${JSON.stringify(answer.result)}` };
  }
  const { code, message } = answer.error;
  // Gateways that do not expose getHealth: the head probe and the lag rule still judge the node.
  if (code === -32601) return { ready: true };
  return { ready: false, reason: message.length > 0 ? message : `getHealth error ${code ?? 'without code'}` };
}

export const solanaProbes: FamilyProbes = {
  identity: { method: 'getGenesisHash', params: [] },
  readIdentity: readGenesisHash,
  head: { method: 'getSlot', params: [{ commitment: HEAD_COMMITMENT }] },
  readHead,
  readiness: { method: 'getHealth', params: [] },
  readReadiness: readHealth,
};
