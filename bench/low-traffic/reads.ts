// The low-traffic group's reads: the cheap half of the bench's read mix (eth_blockNumber and
// eth_getBalance over the mix's 1024 accounts, about 45 / 55), so every target and every client
// library can send them the same way. Deterministic per seed; method indices are MIX_METHODS'.
import { MIX_METHODS, type MixRequest, type RequestMix, readMix } from '../load/mix.js';

export const CHEAP_METHODS = ['eth_blockNumber', 'eth_getBalance'] as const;
type CheapMethod = (typeof CHEAP_METHODS)[number];
const CHEAP_INDICES = new Set(CHEAP_METHODS.map((m) => MIX_METHODS.indexOf(m)));

/** readMix(seed) with every eth_call and eth_getBlockByNumber left out. */
export function cheapReadMix(seed = 1): RequestMix {
  const mix = readMix(seed);
  return {
    next(): MixRequest {
      for (;;) {
        const r = mix.next();
        if (CHEAP_INDICES.has(r.method)) return r;
      }
    },
  };
}

export interface CheapRead {
  method: CheapMethod;
  /** eth_getBalance: [address, block tag]; eth_blockNumber: []. */
  params: string[];
}

/** The method and params of one body of the cheap mix (what a client library is asked to read). */
export function cheapRead(body: string): CheapRead {
  const { method, params } = JSON.parse(body) as { method: string; params: string[] };
  if (method !== 'eth_blockNumber' && method !== 'eth_getBalance') {
    throw new Error(`not a cheap read: ${method}`);
  }
  return { method, params };
}
