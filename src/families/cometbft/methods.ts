// CometBFT RPC methods (https://docs.cometbft.com/v0.38/rpc/): what may be retried or hedged, what
// follows the head, what can be cached forever. Params come named ({"height":"5"}) or positional.
import { type FamilyMethod, methodCatalogue } from '../method-catalogue.js';
import { isAbsent, paramAt } from '../params.js';

const live: FamilyMethod = { kind: 'read', head: 'head' };

/** No height (or 0, which CometBFT reads as "latest") means the latest block. */
function latestHeight(params: unknown, index = 0): boolean {
  const height = paramAt(params, index, 'height');
  return isAbsent(height) || height === '0' || height === 0;
}

/** Methods taking an optional height: fixed and cacheable once a height is named. */
const atHeight: FamilyMethod = {
  kind: 'read',
  head: (params) => latestHeight(params),
  immutable: (params) => !latestHeight(params),
};

const COMETBFT_METHODS: Record<string, FamilyMethod> = {
  abci_info: live,
  abci_query: { kind: 'read', head: (params) => latestHeight(params, 2) },
  block: atHeight,
  block_by_hash: { kind: 'read', head: 'fixed', immutable: true },
  block_results: atHeight,
  block_search: live,
  blockchain: { kind: 'read', head: (params) => isAbsent(paramAt(params, 1, 'maxHeight')) },
  // The commit for the latest height can still change (canonical:false until the next block).
  commit: { kind: 'read', head: (params) => latestHeight(params) },
  consensus_params: { kind: 'read', head: (params) => latestHeight(params) },
  consensus_state: live,
  dump_consensus_state: { kind: 'heavy-read', head: 'head' },
  genesis: { kind: 'heavy-read', head: 'fixed', immutable: true },
  genesis_chunked: { kind: 'read', head: 'fixed', immutable: true },
  header: atHeight,
  header_by_hash: { kind: 'read', head: 'fixed', immutable: true },
  health: live,
  net_info: live,
  num_unconfirmed_txs: live,
  status: live,
  check_tx: live,
  tx: { kind: 'read', head: 'fixed', immutable: true },
  tx_search: live,
  unconfirmed_txs: live,
  validators: { kind: 'read', head: (params) => latestHeight(params) },
  broadcast_tx_async: { kind: 'write', head: 'fixed' },
  broadcast_tx_sync: { kind: 'write', head: 'fixed' },
  broadcast_tx_commit: { kind: 'write', head: 'fixed' },
  broadcast_evidence: { kind: 'write', head: 'fixed' },
};

export const cometbftMethods = methodCatalogue(COMETBFT_METHODS);
