// HeadHistory and ChainRuntime.lagOf: an upstream's head is judged by the best head of the moment it
// was seen, so an idle upstream known through an older health check is not lagging.
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { HeadHistory } from '../../src/routing/head-history.js';

describe('HeadHistory', () => {
  it('answers the highest head seen at or before a time', () => {
    const h = new HeadHistory();
    expect(h.bestAt(0)).toBeUndefined();
    h.record(100, 1000);
    h.record(101, 1250);
    h.record(101, 1300); // not higher: not kept
    h.record(99, 1400); // lower: not kept
    h.record(103, 1750);
    expect(h.bestAt(1000)).toBe(100);
    expect(h.bestAt(1249)).toBe(100);
    expect(h.bestAt(1250)).toBe(101);
    expect(h.bestAt(1700)).toBe(101);
    expect(h.bestAt(9999)).toBe(103);
    // Older than anything kept: the oldest kept head.
    expect(h.bestAt(0)).toBe(100);
  });

  it('stays bounded', () => {
    const h = new HeadHistory();
    for (let i = 0; i < 5000; i++) h.record(i, i);
    expect(h.bestAt(10)).toBe(5000 - 512);
    expect(h.bestAt(4999)).toBe(4999);
  });
});

describe('ChainRuntime.lagOf', () => {
  const config = buildConfig(
    {
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: ['busy', 'idle', 'frozen'].map((name, i) => ({
            name,
            url: `http://127.0.0.1:${9 + i}/`,
            cloud: 'c',
            region: `r${i}`,
            provider: `p${i}`,
          })),
        },
      ],
    },
    't.yaml',
  );

  it('compares each head with the best head of the moment it was seen', async () => {
    const chain = new ChainRuntime(config.chains[0]!, config, 0);
    const [busy, idle, frozen] = chain.upstreams as [never, never, never];
    // A chain of 250 ms blocks; the busy upstream's live answers follow it.
    for (let b = 0; b <= 8; b++) chain.recordHead(busy, 100 + b, b * 250);
    // The idle one's last health check was at 0 ms, at the head of then.
    chain.recordHead(idle, 100, 0, true);
    // The frozen one answered a check just now, still at 100.
    chain.recordHead(frozen, 100, 2000, true);
    expect(chain.lagOf(busy)).toBe(0);
    expect(chain.lagOf(idle)).toBe(0);
    expect(chain.lagOf(frozen)).toBe(8);
    // A live answer never moves a head back; a check may (a reorg, a re-pointed node).
    chain.recordHead(busy, 90, 2100);
    expect((busy as { head?: number }).head).toBe(108);
    chain.recordHead(busy, 107, 2100, true);
    expect((busy as { head?: number }).head).toBe(107);
    await chain.close();
  });
});
