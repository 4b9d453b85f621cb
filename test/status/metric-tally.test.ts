// The tallied counter and histogram must scrape exactly as prom-client's own would after the same
// events: same series, same bucket counts, same sums, in text and in JSON.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { KEY_SEPARATOR as SEP, TalliedCounter, TalliedHistogram } from '../../src/status/metric-tally.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const EVENTS: [string, string, number][] = [
  ['eth', 'eth_call', 0.0004],
  ['eth', 'eth_call', 0.001],
  ['eth', 'eth_call', 0.05],
  ['eth', 'eth_getBalance', 0.2],
  ['base', 'eth_call', 3],
  ['eth', 'eth_call', 0.0099],
];

function pair() {
  const stock = new Registry();
  const tallied = new Registry();
  const config = { name: 'x_seconds', help: 'h', labelNames: ['chain', 'method'] as const, buckets: BUCKETS };
  const counterConfig = { name: 'x_total', help: 'c', labelNames: ['chain', 'method'] as const };
  return {
    stock,
    tallied,
    stockHistogram: new Histogram({ ...config, registers: [stock] }),
    stockCounter: new Counter({ ...counterConfig, registers: [stock] }),
    talliedHistogram: new TalliedHistogram({ ...config, registers: [tallied] }),
    talliedCounter: new TalliedCounter({ ...counterConfig, registers: [tallied] }),
  };
}

function feed(m: ReturnType<typeof pair>, events: [string, string, number][]) {
  for (const [chain, method, value] of events) {
    m.stockHistogram.observe({ chain, method }, value);
    m.stockCounter.inc({ chain, method });
    const key = `${chain}${SEP}${method}`;
    if (!m.talliedHistogram.record(key, value)) m.talliedHistogram.start(key, { chain, method }, value);
    if (!m.talliedCounter.count(key)) m.talliedCounter.start(key, { chain, method });
  }
}

describe('tallied metrics', () => {
  it('scrape as prom-client text identical to prom-client fed the same events, across scrapes', async () => {
    const m = pair();
    feed(m, EVENTS);
    expect(await m.tallied.metrics()).toBe(await m.stock.metrics());
    // Counts added after a scrape show in the next one, and none twice.
    feed(m, EVENTS.slice(0, 3));
    expect(await m.tallied.metrics()).toBe(await m.stock.metrics());
    expect(await m.tallied.metrics()).toContain('x_total{chain="eth",method="eth_call"} 7');
  });

  it('give the same JSON as prom-client', async () => {
    const m = pair();
    feed(m, EVENTS);
    expect(await m.tallied.getMetricsAsJSON()).toEqual(await m.stock.getMetricsAsJSON());
  });

  it('forget everything on reset', async () => {
    const m = pair();
    feed(m, EVENTS);
    m.tallied.resetMetrics();
    m.stock.resetMetrics();
    expect(await m.tallied.metrics()).toBe(await m.stock.metrics());
    feed(m, EVENTS.slice(0, 2));
    expect(await m.tallied.metrics()).toBe(await m.stock.metrics());
  });
});
