// The read load of the families scenario: per family a fixed cycle of that family's reads (the
// ones test/families/families-balancer.test.ts calls through the balancer, and a couple more),
// as JSON-RPC 2.0 bodies with increasing ids. Deterministic; no transaction submission.
import type { FakeFamilyName } from '../../src/simulation/family-fleet.js';
import type { RequestMix } from '../load/mix.js';

export interface FamilyRead {
  method: string;
  params: unknown;
}

const SOL_ACCOUNTS = [
  'So11111111111111111111111111111111111111112',
  'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
  'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr',
];

/** The cycle of reads per family; every entry is sent in turn by the load. */
export const FAMILY_READS: Record<FakeFamilyName, FamilyRead[]> = {
  solana: [
    ...SOL_ACCOUNTS.map((a) => ({ method: 'getBalance', params: [a] })),
    { method: 'getAccountInfo', params: [SOL_ACCOUNTS[0], { encoding: 'base64' }] },
    { method: 'getLatestBlockhash', params: [] },
  ],
  bitcoin: [
    { method: 'getbestblockhash', params: [] },
    { method: 'getbestblockhash', params: [] },
    { method: 'getblockcount', params: [] },
    { method: 'estimatesmartfee', params: [6] },
  ],
  cometbft: [
    { method: 'abci_info', params: {} },
    { method: 'abci_info', params: {} },
    { method: 'block', params: {} },
  ],
};

/** The methods of a family's reads, in first-seen order (the method index a recording stores). */
export function familyReadMethods(family: FakeFamilyName): string[] {
  return [...new Set(FAMILY_READS[family].map((r) => r.method))];
}

export function familyReadMix(family: FakeFamilyName): RequestMix {
  const reads = FAMILY_READS[family];
  const methods = familyReadMethods(family);
  let id = 0;
  return {
    next() {
      const read = reads[id % reads.length]!;
      id++;
      const body = JSON.stringify({ jsonrpc: '2.0', id, method: read.method, params: read.params });
      return { body, method: methods.indexOf(read.method) };
    },
  };
}
