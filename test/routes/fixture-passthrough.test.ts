// Pass-through fidelity: the recorded execution-apis exchanges replayed through the balancer, single
// and batched, must come back exactly as recorded apart from the id.
import { describe, expect, it } from 'vitest';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';
import {
  type Exchange,
  exchangeKey,
  loadExchanges,
  rawId,
  startReplayUpstream,
  withId,
} from '../helpers/fixtures.js';

const exchanges = loadExchanges();
/** The recorded chain (fixtures README): health checks must find the upstream on the right chain. */
const FIXTURE_CHAIN_ID = 0xc72dd9d5e883e;
// Several files record the same request against different chain states; a replaying upstream can
// only hold one answer per request, so each such group is replayed by its own upstream run.
const keyCount = new Map<string, number>();
for (const e of exchanges)
  keyCount.set(exchangeKey(e.request), (keyCount.get(exchangeKey(e.request)) ?? 0) + 1);
const unique = exchanges.filter((e) => keyCount.get(exchangeKey(e.request)) === 1);
const repeated = exchanges.filter((e) => keyCount.get(exchangeKey(e.request))! > 1);

async function withReplay(set: Exchange[], run: (b: TestBalancer) => Promise<void>) {
  const upstream = await startReplayUpstream(set);
  const balancer = await startBalancer(
    testConfig(
      [{ name: 'replay', url: upstream.url }],
      {
        server: { maxBatchSize: 1000 },
        security: { denyMethods: [] },
        health: { interval: '1m' },
      },
      FIXTURE_CHAIN_ID,
    ),
  );
  try {
    await run(balancer);
  } finally {
    await balancer.close();
    await upstream.close();
  }
}

describe('recorded execution-apis exchanges through the balancer', () => {
  it('has the recorded corpus', () => {
    expect(exchanges.length).toBeGreaterThanOrEqual(232);
  });

  it('answers every single request exactly as recorded', async () => {
    await withReplay(unique, async (b) => {
      for (const e of unique) {
        const res = await postRaw(b.url, e.request);
        expect(res.status, e.file).toBe(200);
        expect(res.text, e.file).toBe(e.response);
      }
    });
  });

  it('answers requests recorded more than once, one group at a time', async () => {
    const files = [...new Set(repeated.map((e) => e.file))];
    for (const file of files) {
      const set = repeated.filter((e) => e.file === file);
      await withReplay(set, async (b) => {
        for (const e of set) expect((await postRaw(b.url, e.request)).text, e.file).toBe(e.response);
      });
    }
  });

  it('answers one batch of all of them in order, each with its own id', async () => {
    await withReplay(unique, async (b) => {
      const ids = unique.map((_, i) => (i % 2 === 0 ? String(i + 1) : `"req-${i}"`));
      const batch = `[${unique.map((e, i) => withId(e.request, ids[i]!)).join(',')}]`;
      const res = await postRaw(b.url, batch);
      expect(res.status).toBe(200);
      const parts = JSON.parse(res.text) as unknown[];
      expect(parts).toHaveLength(unique.length);
      // Split the raw answer by element so each is compared byte-for-byte, not re-serialised.
      const { arrayElements } = await import('../../src/rpc/json-raw.js');
      const spans = arrayElements(res.text)!;
      spans.forEach((span, i) => {
        const element = res.text.slice(span.start, span.end);
        expect(rawId(element)).toBe(ids[i]);
        expect(element, unique[i]!.file).toBe(withId(unique[i]!.response, ids[i]!));
      });
    });
  });
});
