// Every chain family by its config name (`chains[].family`).

import type { FamilyName } from '../config/family-names.js';
import { bitcoinFamily } from './bitcoin/index.js';
import { cometbftFamily } from './cometbft/index.js';
import { evmFamily } from './evm/index.js';
import type { ChainFamily } from './family.js';
import { solanaFamily } from './solana/index.js';

export const FAMILIES: Readonly<Record<FamilyName, ChainFamily>> = {
  evm: evmFamily,
  solana: solanaFamily,
  bitcoin: bitcoinFamily,
  cometbft: cometbftFamily,
};
