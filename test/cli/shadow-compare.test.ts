// `switchyard bench providers` with a shadow upstream (issue 24): the same pinned reads to the shadow
// and to the best serving upstream, compared in canonical form: a shadow that answers balances wrong
// shows mismatches on eth_getBalance only, with its latency beside the reference's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchProviders } from '../../src/cli/rank-providers.js';
import { compareShadows, formatShadowTable, type ShadowComparison } from '../../src/cli/shadow-compare.js';
import { buildConfig } from '../../src/config/config.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';

let chain: ChainSim;
let main: FakeProvider;
let trial: FakeProvider;
let comparisons: ShadowComparison[];

beforeAll(async () => {
  chain = new ChainSim({ chainId: 1 });
  chain.advance(20);
  main = await startFakeProvider({ name: 'main', chain, latencyMs: 1 });
  trial = await startFakeProvider({
    name: 'trial',
    chain,
    latencyMs: 1,
    handler: (call) => (call.method === 'eth_getBalance' ? { result: '0x1' } : undefined),
  });
  const config = buildConfig(
    {
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
          upstreams: [
            { name: 'main', url: main.url, provider: 'incumbent' },
            { name: 'trial', url: trial.url, provider: 'candidate', shadow: true },
          ],
        },
      ],
    },
    'shadow.yaml',
  );
  const scores = await benchProviders(config, { requests: 10, seconds: 3 });
  comparisons = await compareShadows(config, scores, 4, 2000);
});

afterAll(async () => {
  await Promise.all([main?.close(), trial?.close()]);
  chain?.stop();
});

describe('bench providers: shadow upstreams', () => {
  it('compares the shadow with the best serving upstream, per method', () => {
    expect(comparisons).toHaveLength(1);
    const c = comparisons[0]!;
    expect(c).toMatchObject({ chain: 'ethereum', shadow: 'trial', reference: 'main' });
    expect(c.block).toBe(chain.head - 8);
    const by = new Map(c.methods.map((m) => [m.method, m]));
    expect(by.get('eth_getBalance')).toMatchObject({ compared: 4, mismatches: 4, failed: 0 });
    expect(by.get('eth_getBlockByNumber')).toMatchObject({ compared: 4, mismatches: 0 });
    expect(by.get('eth_chainId')).toMatchObject({ compared: 4, mismatches: 0 });
    expect(by.get('eth_getBalance')!.shadowP50Ms).toBeGreaterThan(0);
    const table = formatShadowTable(comparisons);
    expect(table).toContain('trial against main');
    expect(table).toMatch(/eth_getBalance\s+4\s+4\s+0/);
  });
});
