// agave's `minContextSlot`: a read with it answers from a bank at or past that slot, or refuses with
// -32016 "Minimum context slot has not been reached". Verified reads pin it so every participant
// answers from at least the same slot (a node behind refuses instead of answering older state).
import { isRecord } from '../params.js';

/**
 * The index of the config object that accepts `minContextSlot`, per method (agave rpc.rs; the methods
 * whose config is RpcContextConfig, RpcAccountInfoConfig, RpcProgramAccountsConfig, ...). Methods
 * absent here take no such key (getTokenAccountBalance takes only a commitment; getTransaction and
 * getBlock name their slot or signature themselves).
 */
const CONFIG_INDEX: ReadonlyMap<string, number> = new Map([
  ['getAccountInfo', 1],
  ['getBalance', 1],
  ['getBlockHeight', 0],
  ['getEpochInfo', 0],
  ['getFeeForMessage', 1],
  ['getLatestBlockhash', 0],
  ['getMultipleAccounts', 1],
  ['getProgramAccounts', 1],
  ['getSignaturesForAddress', 1],
  ['getSlot', 0],
  ['getTokenAccountsByDelegate', 2],
  ['getTokenAccountsByOwner', 2],
  ['getTransactionCount', 0],
  ['isBlockhashValid', 1],
  ['simulateTransaction', 1],
]);

/** How far `finalized` trails `confirmed`: a slot is rooted 32 votes deep (agave's MAX_LOCKOUT_HISTORY + 1). */
export const FINALIZED_DEPTH = 32;

/** The commitment a read asks for; absent means agave's default, finalized. */
export function readCommitment(method: string, params: unknown): string {
  const index = CONFIG_INDEX.get(method);
  const config = index === undefined || !Array.isArray(params) ? undefined : params[index];
  return isRecord(config) && typeof config.commitment === 'string' ? config.commitment : 'finalized';
}

/**
 * The params with `minContextSlot` merged into the method's config object (the other keys kept; a
 * higher slot the caller asked for stands). Undefined when the method takes no such key, or passes
 * something else than a config object there (an old client's bare encoding string).
 */
export function withMinContextSlot(method: string, params: unknown, slot: number): unknown[] | undefined {
  const index = CONFIG_INDEX.get(method);
  if (index === undefined || !Array.isArray(params) || params.length < index) return undefined;
  const config = params[index];
  if (config !== undefined && config !== null && !isRecord(config)) return undefined;
  const own = isRecord(config) && typeof config.minContextSlot === 'number' ? config.minContextSlot : 0;
  const out = [...params];
  out[index] = { ...(isRecord(config) ? config : {}), minContextSlot: Math.max(own, slot) };
  return out;
}
