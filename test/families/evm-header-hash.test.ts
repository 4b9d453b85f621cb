// The block hash recomputed from a block's own fields, for headers of every fork anvil can produce
// (London's base fee, Shanghai's withdrawals root, Cancun's blob fields, Prague's requests hash).
import { afterAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { blockHashHolds } from '../../src/families/evm/header-hash.js';

const started: Anvil[] = [];

async function rpc(url: string, method: string, params: unknown[]) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

afterAll(async () => {
  for (const a of started) await a.stop();
});

describe('recomputed block hashes', () => {
  for (const hardfork of ['london', 'shanghai', 'cancun', 'prague']) {
    it(`holds for a ${hardfork} block and fails for a tampered one`, async () => {
      const anvil = await startAnvil(['--hardfork', hardfork]);
      started.push(anvil);
      await rpc(anvil.url, 'anvil_mine', ['0x2']);
      const block = (await rpc(anvil.url, 'eth_getBlockByNumber', ['0x2', false])) as Record<string, string>;
      expect(blockHashHolds(block)).toBe(true);
      expect(blockHashHolds({ ...block, stateRoot: `0x${'12'.repeat(32)}` })).toBe(false);
      expect(blockHashHolds({ ...block, hash: `0x${'34'.repeat(32)}` })).toBe(false);
      expect(blockHashHolds(null)).toBe(false);
    }, 20_000);
  }
});
