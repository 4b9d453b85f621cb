// Solana JSON-RPC methods (agave RPC, https://solana.com/docs/rpc): what may be retried or hedged, what
// follows the head, what can be cached forever. Most reads take a commitment and answer "as of" the
// node's bank at that commitment, so they follow the head; lookups by slot or signature do not.
import { type FamilyMethod, methodCatalogue } from '../method-catalogue.js';
import { isAbsent, isRecord, paramAt } from '../params.js';

const read: FamilyMethod = { kind: 'read', head: 'head' };
const fixed: FamilyMethod = { kind: 'read', head: 'fixed' };
// Account scans and large lists: retried on failure, never doubled by a hedge.
const heavy: FamilyMethod = { kind: 'heavy-read', head: 'head' };

/**
 * The commitment of a config object at params[index]: absent means the node's default, 'finalized'
 * on agave. Older clients pass the encoding as a bare string there: that also means the default.
 */
function commitmentAt(params: unknown, index: number): string | undefined {
  const config = Array.isArray(params) ? params[index] : undefined;
  if (!isRecord(config)) return undefined;
  return typeof config.commitment === 'string' ? config.commitment : undefined;
}

/** A finalized answer is rooted: the same block or transaction forever. Confirmed could in theory fork. */
const finalizedAt =
  (index: number) =>
  (params: unknown): boolean => {
    const commitment = commitmentAt(params, index);
    return commitment === undefined || commitment === 'finalized';
  };

const SOLANA_METHODS: Record<string, FamilyMethod> = {
  getAccountInfo: read,
  getBalance: read,
  getBlock: { kind: 'read', head: 'fixed', immutable: finalizedAt(1) },
  getBlockCommitment: read,
  getBlockHeight: read,
  getBlockProduction: read,
  // Without an end slot the list runs to the node's latest slot.
  getBlocks: { kind: 'read', head: (params) => isAbsent(paramAt(params, 1, 'endSlot')) },
  getBlocksWithLimit: read,
  getBlockTime: { kind: 'read', head: 'fixed', immutable: true },
  getClusterNodes: read,
  getEpochInfo: read,
  getEpochSchedule: { kind: 'read', head: 'fixed', immutable: true },
  getFeeForMessage: read,
  getFirstAvailableBlock: fixed,
  getGenesisHash: { kind: 'read', head: 'fixed', immutable: true },
  getHealth: read,
  getHighestSnapshotSlot: read,
  getIdentity: fixed,
  getInflationGovernor: read,
  getInflationRate: read,
  getInflationReward: read,
  getLargestAccounts: heavy,
  getLatestBlockhash: read,
  getLeaderSchedule: read,
  getMaxRetransmitSlot: read,
  getMaxShredInsertSlot: read,
  getMinimumBalanceForRentExemption: fixed,
  getMultipleAccounts: read,
  getProgramAccounts: heavy,
  getRecentPerformanceSamples: read,
  getRecentPrioritizationFees: read,
  getSignaturesForAddress: read,
  getSignatureStatuses: read,
  getSlot: read,
  getSlotLeader: read,
  getSlotLeaders: read,
  getStakeMinimumDelegation: read,
  getSupply: heavy,
  getTokenAccountBalance: read,
  getTokenAccountsByDelegate: heavy,
  getTokenAccountsByOwner: read,
  getTokenLargestAccounts: heavy,
  getTokenSupply: read,
  getTransaction: { kind: 'read', head: 'fixed', immutable: finalizedAt(1) },
  getTransactionCount: read,
  getVersion: fixed,
  getVoteAccounts: read,
  isBlockhashValid: read,
  minimumLedgerSlot: read,
  // Simulation runs against the bank at the head and changes nothing: a read.
  simulateTransaction: read,
  sendTransaction: { kind: 'write', head: 'fixed' },
  // Devnet/testnet faucet: a second copy would be a second airdrop.
  requestAirdrop: { kind: 'write', head: 'fixed' },
};

export const solanaMethods = methodCatalogue(SOLANA_METHODS);
