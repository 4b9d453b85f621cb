// Bitcoin Core RPC methods (blockchain, rawtransactions, util, mining and network info): what may be
// retried or hedged, what follows the tip, what can be cached forever. Wallet RPCs are node-local state
// (which wallet is loaded where) and are deliberately absent: they get the careful unknown-method facts.
import { type FamilyMethod, methodCatalogue } from '../method-catalogue.js';
import { paramAt } from '../params.js';

const tip: FamilyMethod = { kind: 'read', head: 'head' };
const fixed: FamilyMethod = { kind: 'read', head: 'fixed' };
const pure: FamilyMethod = { kind: 'read', head: 'fixed', immutable: true };

/**
 * Verbose answers carry `confirmations` (and getblock's `nextblockhash`), which grow with the chain:
 * only the raw hex form is the same forever. getblock: verbosity 0; getblockheader: verbose=false.
 */
const rawOnly =
  (index: number, name: string, rawValue: number | boolean) =>
  (params: unknown): boolean =>
    paramAt(params, index, name) === rawValue;

const BITCOIN_METHODS: Record<string, FamilyMethod> = {
  getbestblockhash: tip,
  getblock: { kind: 'read', head: 'fixed', immutable: rawOnly(1, 'verbosity', 0) },
  getblockchaininfo: tip,
  getblockcount: tip,
  getblockfilter: fixed,
  // A height's hash can change in a reorg near the tip: fixed for lag, never cached forever.
  getblockhash: fixed,
  getblockheader: { kind: 'read', head: 'fixed', immutable: rawOnly(1, 'verbose', false) },
  getblockstats: fixed,
  getchaintips: tip,
  getchaintxstats: tip,
  getdeploymentinfo: tip,
  getdifficulty: tip,
  getmempoolancestors: tip,
  getmempooldescendants: tip,
  getmempoolentry: tip,
  getmempoolinfo: tip,
  getrawmempool: tip,
  gettxout: tip,
  gettxoutproof: fixed,
  // Walks the whole UTXO set: seconds of work on the node, never hedged.
  gettxoutsetinfo: { kind: 'heavy-read', head: 'head' },
  verifytxoutproof: fixed,
  // A confirmed transaction's hex never changes; verbose adds confirmations. Mempool ones differ per node.
  getrawtransaction: fixed,
  decoderawtransaction: pure,
  decodescript: pure,
  decodepsbt: pure,
  validateaddress: pure,
  estimatesmartfee: tip,
  getmininginfo: tip,
  getnetworkhashps: tip,
  getnetworkinfo: fixed,
  getindexinfo: fixed,
  getblocktemplate: tip,
  testmempoolaccept: tip,
  uptime: fixed,
  sendrawtransaction: { kind: 'write', head: 'fixed' },
  submitpackage: { kind: 'write', head: 'fixed' },
};

export const bitcoinMethods = methodCatalogue(BITCOIN_METHODS);
