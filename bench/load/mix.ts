// The read mix every load run sends: what a wallet or an indexer mostly asks. Deterministic per seed,
// varied enough (many addresses and call targets) that no response cache can serve it from memory.
import { seededRandom } from './stats.js';

export const MIX_METHODS = ['eth_blockNumber', 'eth_getBalance', 'eth_call', 'eth_getBlockByNumber'] as const;

/** Share of each method, in MIX_METHODS order. */
const MIX_WEIGHTS = [0.25, 0.3, 0.3, 0.15] as const;

export interface MixRequest {
  body: string;
  /** Index into MIX_METHODS. */
  method: number;
}

export interface RequestMix {
  next(): MixRequest;
}

function hex40(random: () => number): string {
  let s = '';
  for (let i = 0; i < 5; i++)
    s += Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  return s;
}

/** A pool of `addresses` distinct accounts, requests drawn from it with the mix's weights. */
export function readMix(seed = 1, addresses = 1024): RequestMix {
  const random = seededRandom(seed);
  const pool: string[] = [];
  for (let i = 0; i < addresses; i++) pool.push(hex40(random));
  let id = 0;
  return {
    next() {
      id++;
      const r = random();
      const address = pool[Math.floor(random() * pool.length)]!;
      let method = 0;
      let acc = MIX_WEIGHTS[0];
      while (r >= acc && method < MIX_WEIGHTS.length - 1) acc += MIX_WEIGHTS[++method]!;
      let params: string;
      switch (method) {
        case 0:
          params = '[]';
          break;
        case 1:
          params = `["0x${address}","latest"]`;
          break;
        case 2:
          // balanceOf(address) on a token contract
          params = `[{"to":"0x${pool[id % pool.length]}","data":"0x70a08231000000000000000000000000${address}"},"latest"]`;
          break;
        default:
          params = '["latest",false]';
      }
      return {
        body: `{"jsonrpc":"2.0","id":${id},"method":"${MIX_METHODS[method]}","params":${params}}`,
        method,
      };
    },
  };
}

/** A fixed list of bodies from the mix, for external load tools (wrk) that replay a list. */
export function mixBodies(count: number, seed = 1): string[] {
  const mix = readMix(seed);
  return Array.from({ length: count }, () => mix.next().body);
}
