// Every chain family by its config name (`chains[].family`).
import { bitcoinFamily } from './bitcoin/index.js';
import { cometbftFamily } from './cometbft/index.js';
import { evmFamily } from './evm/index.js';
import type { ChainFamily, FamilyName } from './family.js';
import { solanaFamily } from './solana/index.js';

export const FAMILIES: Readonly<Record<FamilyName, ChainFamily>> = {
  evm: evmFamily,
  solana: solanaFamily,
  bitcoin: bitcoinFamily,
  cometbft: cometbftFamily,
};

export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];
