// The EVM family (geth, erigon, reth, nethermind, besu, anvil and the providers in front of them):
// identity = eth_chainId, head = eth_blockNumber, readiness = eth_syncing (with health.checkSyncing),
// submission = eth_sendRawTransaction (its broadcast stage is tx-broadcast.ts, with EVM's own rules
// for "already known" and "nonce too low").
import { type ChainFamily, type ProbeAnswer, readJsonRpcReply } from '../family.js';
import { isLatestRead, methodFacts, methodLabel } from './methods.js';
import { matchBodyQuirk, RPC_QUIRKS } from './provider-quirks.js';
import { transactionHash } from './tx-hash.js';

const QUANTITY = /^0x[0-9a-f]{1,13}$/i;

/** An `0x` quantity that fits a safe integer, as a number. */
function evmQuantity(value: unknown): number | undefined {
  return typeof value === 'string' && QUANTITY.test(value) ? Number.parseInt(value, 16) : undefined;
}

const resultOf = (a: ProbeAnswer): unknown => ('result' in a ? a.result : undefined);

/** How EVM nodes say they already have the transaction. */
const ALREADY_KNOWN = /\balready known\b|\bknown transaction\b|already imported|alreadyknown/i;

export const evmFamily: ChainFamily = {
  name: 'evm',
  probes: {
    identity: { method: 'eth_chainId', params: [] },
    // The chain id in decimal, as `chains[].chainId` is written.
    readIdentity: (a) => {
      const id = evmQuantity(resultOf(a));
      return id === undefined ? undefined : String(id);
    },
    head: { method: 'eth_blockNumber', params: [] },
    readHead: (a) => evmQuantity(resultOf(a)),
    readiness: { method: 'eth_syncing', params: [] },
    readReadiness: (a) =>
      'result' in a && a.result === false
        ? { ready: true }
        : { ready: false, reason: 'error' in a ? `eth_syncing: ${a.error.message}` : 'node is syncing' },
  },
  methodFacts,
  methodLabel,
  isLatestRead,
  errorRows: RPC_QUIRKS,
  readReply: readJsonRpcReply,
  matchBodyQuirk,
  liveHead: (method, result) => (method === 'eth_blockNumber' ? evmQuantity(result) : undefined),
  submission: {
    methods: new Set(['eth_sendRawTransaction']),
    isDuplicate: (_method, error) =>
      ALREADY_KNOWN.test(`${error.message} ${typeof error.data === 'string' ? error.data : ''}`),
    transactionId: (_method, params) => (Array.isArray(params) ? transactionHash(params[0]) : undefined),
  },
  envelope: '2.0',
};
