// eth_getLogs range splitting through Switchyard over a simulated provider that, like Infura or
// Alchemy, rejects ranges wider than 100 blocks: the range is bisected, the parts merged in order,
// `latest` resolved to a number first, and the splitting bounded.
import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { ChainSim, type RpcErrorObject, startFakeProvider } from '../../src/simulation/index.js';
import { MAX_SUBREQUESTS } from '../../src/stages/evm/logs-splitter.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

const HEAD = 2000;
const EMITTER = '0x00000000000000000000000000000000000000e1';
const INFURA_TOO_MANY: RpcErrorObject = {
  code: -32005,
  message: 'query returned more than 10000 results. Try with this block range [0x3e8, 0x44b].',
};
const ALCHEMY_TOO_LARGE: RpcErrorObject = {
  code: -32602,
  message:
    'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on ' +
    'the response size, or you can request any block range with a cap of 10K logs in the response.',
};

let open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

/** One log in every block divisible by 7, as a node would answer. */
function logsIn(from: number, to: number) {
  const logs = [];
  for (let n = from; n <= to; n++) {
    if (n % 7 !== 0) continue;
    logs.push({
      address: EMITTER,
      topics: [],
      data: '0x',
      blockNumber: `0x${n.toString(16)}`,
      blockHash: `0x${n.toString(16).padStart(64, '0')}`,
      transactionHash: `0x${(n + 1).toString(16).padStart(64, '0')}`,
      transactionIndex: '0x0',
      logIndex: '0x0',
      removed: false,
    });
  }
  return logs;
}

async function setup(maxSpan: number, error: RpcErrorObject) {
  const chain = new ChainSim({ chainId: 1, startBlock: HEAD });
  const ranges: [unknown, unknown][] = [];
  const provider = await startFakeProvider({
    name: 'limited',
    chain,
    handler: ({ method, params }) => {
      if (method !== 'eth_getLogs') return undefined;
      const f = params[0] as { fromBlock: string; toBlock: string };
      ranges.push([f.fromBlock, f.toBlock]);
      const from = Number.parseInt(f.fromBlock, 16);
      const to = Number.parseInt(f.toBlock, 16);
      if (Number.isNaN(from) || Number.isNaN(to))
        return { error: { code: -32602, message: 'tags not expected' } };
      return to - from + 1 > maxSpan ? { error } : { result: logsIn(from, to) };
    },
  });
  open.push(provider);
  const lb = await startBalancer(
    testConfig([{ name: 'limited', url: provider.url }], { cache: { enabled: false } }),
  );
  open.push(lb);
  await waitFor(() => lb.server.runtime.defaultChain.bestHead === HEAD, 5000, 'head');
  return { lb, ranges };
}

async function getLogs(lb: TestBalancer, filter: Record<string, unknown>) {
  const res = await postRaw(
    lb.url,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getLogs', params: [filter] }),
  );
  return JSON.parse(res.text) as {
    result?: { blockNumber: string }[];
    error?: { code: number; message: string };
  };
}

describe('eth_getLogs range splitting', () => {
  it('splits a range the provider rejects and merges the parts in block order (viem getLogs)', async () => {
    const { lb, ranges } = await setup(100, INFURA_TOO_MANY);
    const client = createPublicClient({ transport: http(lb.url, { retryCount: 0 }) });
    const logs = await client.getLogs({ address: EMITTER, fromBlock: 100n, toBlock: 899n });
    expect(logs.map((l) => Number(l.blockNumber))).toEqual(
      logsIn(100, 899).map((l) => Number.parseInt(l.blockNumber, 16)),
    );
    expect(logs).toHaveLength(114);
    // Every accepted part was at most 100 blocks; 800 blocks took 8 parts plus the 7 rejected halvings.
    const spans = ranges.map(
      ([f, t]) => Number.parseInt(t as string, 16) - Number.parseInt(f as string, 16) + 1,
    );
    expect(spans.filter((s) => s <= 100).reduce((a, b) => a + b, 0)).toBe(800);
    expect(ranges).toHaveLength(15);
  });

  it('resolves `latest` to a number before asking, so every part reads the same blocks', async () => {
    const { lb, ranges } = await setup(100, ALCHEMY_TOO_LARGE);
    const answer = await getLogs(lb, { address: EMITTER, fromBlock: `0x${(HEAD - 299).toString(16)}` });
    expect(answer.result?.at(-1)?.blockNumber).toBe(`0x${(HEAD - (HEAD % 7)).toString(16)}`);
    expect(answer.result).toHaveLength(logsIn(HEAD - 299, HEAD).length);
    expect(
      ranges.every(([f, t]) => /^0x[0-9a-f]+$/.test(f as string) && /^0x[0-9a-f]+$/.test(t as string)),
    ).toBe(true);
    expect(Math.max(...ranges.map(([, t]) => Number.parseInt(t as string, 16)))).toBe(HEAD);
  });

  it('stops splitting at its bound and answers with the provider’s own error', async () => {
    const { lb, ranges } = await setup(0, INFURA_TOO_MANY); // rejects even a single block
    const answer = await getLogs(lb, { fromBlock: '0x0', toBlock: `0x${(HEAD - 1).toString(16)}` });
    expect(answer.error).toMatchObject({ code: -32005 });
    expect(ranges.length).toBeLessThanOrEqual(MAX_SUBREQUESTS);
    expect(ranges.length).toBeGreaterThan(100);
  });

  it('passes a range the provider accepts through in one call', async () => {
    const { lb, ranges } = await setup(100, INFURA_TOO_MANY);
    const answer = await getLogs(lb, { fromBlock: '0x64', toBlock: '0x96' });
    expect(answer.result).toHaveLength(logsIn(100, 150).length);
    expect(ranges).toEqual([['0x64', '0x96']]);
  });
});
