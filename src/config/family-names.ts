// The chain families a config may name (`chains[].family`): owned by config, which validates them;
// src/families/registry.ts maps each name to its implementation.
export const FAMILY_NAMES = ['evm', 'solana', 'bitcoin', 'cometbft'] as const;

export type FamilyName = (typeof FAMILY_NAMES)[number];
