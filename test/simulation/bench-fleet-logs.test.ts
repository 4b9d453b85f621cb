// Per-block logs and reorgs of the simulated chain, seen over HTTP: the subscription tests and the
// benchmark count missed and duplicated logs against these, so their shape and filters must be right.

import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChainSim,
  type FakeProvider,
  LOG_ADDRESSES,
  LOG_TOPIC0S,
  type SimLog,
  startFakeProvider,
} from '../../src/simulation/index.js';

async function rpc(
  url: string,
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: unknown }> {
  const res = await request(url, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    headers: { 'content-type': 'application/json' },
  });
  return (await res.body.json()) as { result?: unknown; error?: unknown };
}

async function logs(url: string, filter: Record<string, unknown>): Promise<SimLog[]> {
  const body = await rpc(url, 'eth_getLogs', [filter]);
  if (body.error) throw new Error(JSON.stringify(body.error));
  return body.result as SimLog[];
}

const ZERO_BLOOM = `0x${'0'.repeat(512)}`;
const hex = (n: number) => `0x${n.toString(16)}`;

describe('chain without logs (the default)', () => {
  it('keeps blocks empty and eth_getLogs at []', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 100 });
    const p = await startFakeProvider({ name: 'p', chain });
    try {
      expect(chain.block(100)!.logsBloom).toBe(ZERO_BLOOM);
      expect(await logs(p.url, { fromBlock: '0x0', toBlock: 'latest' })).toEqual([]);
      expect(chain.canonicalLogs(0, 100)).toEqual([]);
    } finally {
      await p.close();
    }
  });
});

describe('chain with logsPerBlock', () => {
  let chain: ChainSim;
  let p: FakeProvider;
  beforeEach(async () => {
    chain = new ChainSim({ chainId: 1, startBlock: 100, logsPerBlock: 3 });
    p = await startFakeProvider({ name: 'p', chain });
  });
  afterEach(async () => {
    await p.close();
  });

  it('gives every block deterministic logs of the real shape and a non-zero bloom', async () => {
    const block = chain.block(100)!;
    const got = await logs(p.url, { blockHash: block.hash });
    expect(got).toHaveLength(3);
    got.forEach((log, i) => {
      expect(log).toEqual({
        address: expect.stringMatching(/^0x[0-9a-f]{40}$/),
        topics: [expect.any(String), expect.stringMatching(/^0x0{24}[0-9a-f]{40}$/), expect.any(String)],
        data: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        blockNumber: '0x64',
        blockHash: block.hash,
        transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        transactionIndex: hex(i),
        logIndex: hex(i),
        removed: false,
      });
      expect(LOG_ADDRESSES).toContain(log.address);
      expect(LOG_TOPIC0S).toContain(log.topics[0]);
    });
    expect(new Set(got.map((l) => l.transactionHash)).size).toBe(3);
    expect(block.logsBloom).not.toBe(ZERO_BLOOM);
    expect(block.logsBloom).toMatch(/^0x[0-9a-f]{512}$/);
    // Another provider on the same chain (or the same one later) derives the very same logs.
    expect(new ChainSim({ chainId: 1, startBlock: 100, logsPerBlock: 3 }).logsAt(100)).toEqual(got);
  });

  it('filters by range, address (one or a list) and topics (null wildcards, OR lists)', async () => {
    chain.advance(5); // head 105
    const all = await logs(p.url, { fromBlock: hex(101), toBlock: 'latest' });
    expect(all).toHaveLength(15);
    expect(all).toEqual(chain.canonicalLogs(101, 105));
    expect(await logs(p.url, {})).toEqual(chain.logsAt(105)); // both ends default to latest
    const a0 = LOG_ADDRESSES[0];
    expect(await logs(p.url, { fromBlock: hex(101), toBlock: hex(105), address: a0 })).toEqual(
      all.filter((l) => l.address === a0),
    );
    const two = [LOG_ADDRESSES[1], LOG_ADDRESSES[2].toUpperCase().replace('0X', '0x')];
    expect(await logs(p.url, { fromBlock: hex(101), address: two })).toEqual(
      all.filter((l) => l.address !== a0),
    );
    const [transfer, approval] = LOG_TOPIC0S;
    expect(await logs(p.url, { fromBlock: hex(101), topics: [transfer] })).toEqual(
      all.filter((l) => l.topics[0] === transfer),
    );
    const someTopic1 = all[4]!.topics[1]!;
    expect(await logs(p.url, { fromBlock: hex(101), topics: [null, someTopic1] })).toEqual([all[4]]);
    expect(await logs(p.url, { fromBlock: hex(101), topics: [[transfer, approval], null, null] })).toEqual(
      all,
    );
    expect(await logs(p.url, { fromBlock: hex(101), topics: [null, null, null, null] })).toEqual([]);
    // Past the head there is nothing yet.
    expect(await logs(p.url, { fromBlock: hex(200), toBlock: hex(300) })).toEqual([]);
  });

  it('answers bad filters with errors', async () => {
    const unknown = await rpc(p.url, 'eth_getLogs', [{ blockHash: `0x${'ab'.repeat(32)}` }]);
    expect(unknown.error).toEqual({ code: -32000, message: 'unknown block' });
    const inverted = await rpc(p.url, 'eth_getLogs', [{ fromBlock: '0x64', toBlock: '0x63' }]);
    expect((inverted.error as { code: number }).code).toBe(-32000);
    const both = await rpc(p.url, 'eth_getLogs', [{ blockHash: chain.blockHash(100), fromBlock: '0x1' }]);
    expect((both.error as { code: number }).code).toBe(-32602);
    const badAddress = await rpc(p.url, 'eth_getLogs', [{ address: 'nope' }]);
    expect((badAddress.error as { code: number }).code).toBe(-32602);
  });

  it('reorgs: new hashes and logs at the same heights, orphans still served by hash', async () => {
    chain.advance(4); // head 104
    const before = chain.canonicalHashes(100, 104);
    const oldLogs = chain.canonicalLogs(103, 104);
    const oldBlock103 = chain.block(103)!;
    const { orphaned, adopted } = chain.reorg(2);
    expect(chain.head).toBe(104);
    expect(orphaned).toEqual([
      { number: 103, hash: before[3] },
      { number: 104, hash: before[4] },
    ]);
    const after = chain.canonicalHashes(100, 104);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after[3]).not.toBe(before[3]);
    expect(adopted.map((b) => b.hash)).toEqual(after.slice(3));
    expect(chain.block(104)!.parentHash).toBe(after[3]);
    expect(chain.block(103)!.parentHash).toBe(after[2]);
    expect(chain.blockNumberOf(before[3]!)).toBeUndefined();
    expect(chain.blockNumberOf(after[3]!)).toBe(103);
    expect(chain.knownBlock(before[4]!)).toEqual({ number: 104, canonical: false });

    // The orphan, as geth keeps side-chain blocks: by hash, with its own logs.
    const orphan = (await rpc(p.url, 'eth_getBlockByHash', [before[3], false])).result;
    expect(orphan).toEqual(oldBlock103);
    const orphan104 = (await rpc(p.url, 'eth_getBlockByHash', [before[4], false])).result as {
      parentHash: string;
    };
    expect(orphan104.parentHash).toBe(before[3]);
    expect(await logs(p.url, { blockHash: before[3] })).toEqual(oldLogs.slice(0, 3));
    // The new branch: different transactions and data, same emitters and event kinds.
    const newLogs = await logs(p.url, { fromBlock: hex(103), toBlock: hex(104) });
    expect(newLogs).toHaveLength(6);
    newLogs.forEach((log, i) => {
      expect(log.transactionHash).not.toBe(oldLogs[i]!.transactionHash);
      expect(log.data).not.toBe(oldLogs[i]!.data);
      expect(log.address).toBe(oldLogs[i]!.address);
      expect(log.topics[0]).toBe(oldLogs[i]!.topics[0]);
    });
    expect(chain.canonicalLogs(103, 104)).toEqual(newLogs);
    expect(() => chain.reorg(0)).toThrow();
  });

  it('records when each block was produced (epoch ms), reorged blocks included', () => {
    const t0 = performance.timeOrigin + performance.now();
    chain.advance(1);
    const at101 = chain.producedAtMs(101)!;
    expect(at101).toBeGreaterThanOrEqual(t0 - 1);
    expect(chain.producedAtMs(chain.blockHash(101))).toBe(at101);
    expect(chain.producedAtMs(100)).toBeUndefined(); // existed from the start
    const old = chain.blockHash(101);
    chain.reorg(1);
    expect(chain.producedAtMs(101)!).toBeGreaterThanOrEqual(at101);
    expect(chain.producedAtMs(old)).toBe(at101);
  });
});
