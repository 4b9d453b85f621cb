// `chains[].family` and the identity key it needs: the value every upstream of the chain must report,
// or it never serves. evm: `chainId`; solana and bitcoin: `genesisHash`; cometbft: `network`.
import type { Node } from './config-values.js';
import { FAMILY_NAMES, type FamilyName } from './family-names.js';

export interface ChainIdentity {
  family: FamilyName;
  /** EVM chain id; undefined for other families. */
  chainId: number | undefined;
  /** What the family's identity probe must read (decimal chain id, genesis hash, network name). */
  identity: string;
}

const KEY: Record<FamilyName, 'chainId' | 'genesisHash' | 'network'> = {
  evm: 'chainId',
  solana: 'genesisHash',
  bitcoin: 'genesisHash',
  cometbft: 'network',
};

const BASE58_HASH = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const HEX_HASH = /^[0-9a-fA-F]{64}$/;

export function readChainIdentity(node: Node): ChainIdentity {
  const family = node.child('family').oneOf(FAMILY_NAMES, 'evm');
  const wanted = KEY[family];
  for (const key of ['chainId', 'genesisHash', 'network'] as const) {
    if (key !== wanted && !node.child(key).missing)
      node.child(key).fail(`not used by family ${family} (it uses ${wanted})`);
  }
  if (family === 'evm') {
    const chainId = node.child('chainId').number(undefined, 1);
    return { family, chainId, identity: String(chainId) };
  }
  const idNode = node.child(wanted);
  const value = idNode.string();
  if (family === 'solana' && !BASE58_HASH.test(value))
    idNode.fail('expected a base58 genesis hash (getGenesisHash)');
  if (family === 'bitcoin' && !HEX_HASH.test(value))
    idNode.fail('expected the 64-hex hash of block 0 (getblockhash 0)');
  return { family, chainId: undefined, identity: family === 'bitcoin' ? value.toLowerCase() : value };
}
