// Pure pieces of the operations work, in virtual time: the per-key token bucket, the traffic-share
// window and grouping, the observer wrapper, and API-key config validation.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../routes/rate-limiter.js';
import { buildConfig, ConfigError } from '../../src/config/config.js';
import { nullObserver, type Observer } from '../../src/routing/observer.js';
import {
  observeTraffic,
  SHARE_WINDOW_SECONDS,
  shareGroups,
  TrafficMeter,
} from '../../src/routing/traffic-share.js';

describe('RateLimiter (token bucket per key name)', () => {
  it('allows a burst, then refills at the rate, and says when the next token comes', () => {
    const limiter = new RateLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(limiter.take('k', 2, 3, t0).ok).toBe(true);
    const refused = limiter.take('k', 2, 3, t0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.take('k', 2, 3, t0 + 499).ok).toBe(false);
    expect(limiter.take('k', 2, 3, t0 + 500).ok).toBe(true);
    // Refill never exceeds the burst.
    for (let i = 0; i < 3; i++) expect(limiter.take('k', 2, 3, t0 + 60_000).ok).toBe(true);
    expect(limiter.take('k', 2, 3, t0 + 60_000).ok).toBe(false);
  });

  it('keeps one bucket per key name and treats rate 0 as unlimited', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('a', 1, 1, 0).ok).toBe(true);
    expect(limiter.take('a', 1, 1, 0).ok).toBe(false);
    expect(limiter.take('b', 1, 1, 0).ok).toBe(true);
    for (let i = 0; i < 1000; i++) expect(limiter.take('free', 0, 1, 0).ok).toBe(true);
  });

  it('forgets keys no longer configured (a re-added key starts with a full bucket)', () => {
    const limiter = new RateLimiter();
    limiter.take('a', 1, 1, 0);
    expect(limiter.take('a', 1, 1, 0).ok).toBe(false);
    limiter.retain(new Set(['b']));
    expect(limiter.take('a', 1, 1, 0).ok).toBe(true);
  });
});

describe('TrafficMeter and shareGroups', () => {
  it('counts attempts per upstream inside a sliding window of whole seconds', () => {
    let now = 50_000;
    const meter = new TrafficMeter(() => now);
    meter.record('eth', 'a');
    meter.record('eth', 'a');
    meter.record('eth', 'b');
    meter.record('other', 'a');
    expect(meter.recent('eth')).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
    now += (SHARE_WINDOW_SECONDS - 1) * 1000;
    meter.record('eth', 'b');
    expect(meter.recent('eth')).toEqual(
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    );
    now += 1000; // the first second leaves the window
    expect(meter.recent('eth')).toEqual(new Map([['b', 1]]));
    now += SHARE_WINDOW_SECONDS * 1000;
    expect(meter.recent('eth')).toEqual(new Map());
    expect(meter.recent('unknown')).toEqual(new Map());
  });

  it('reuses ring slots correctly after the window wrapped', () => {
    let now = 0;
    const meter = new TrafficMeter(() => now);
    meter.record('eth', 'a');
    now = SHARE_WINDOW_SECONDS * 1000; // same slot, next lap
    meter.record('eth', 'a');
    expect(meter.recent('eth').get('a')).toBe(1);
  });

  it('forgets upstreams removed by a reload', () => {
    const meter = new TrafficMeter(() => 0);
    meter.record('eth', 'a');
    meter.record('eth', 'b');
    meter.retain('eth', new Set(['b']));
    expect([...meter.recent('eth').keys()]).toEqual(['b']);
  });

  it('groups shares by upstream, cloud, region and provider; all zero without traffic', () => {
    const ups = [
      { name: 'a', cloud: 'aws', region: 'us-east-1', provider: 'alchemy' },
      { name: 'b', cloud: 'aws', region: 'us-east-1', provider: 'infura' },
      { name: 'c', cloud: 'gcp', region: 'europe-west1', provider: 'alchemy' },
    ];
    const g = shareGroups(
      ups,
      new Map([
        ['a', 1],
        ['b', 1],
        ['c', 1],
        ['gone', 5],
      ]),
    );
    expect(g.attempts).toBe(3);
    expect(g.byUpstream).toEqual({ a: 0.3333, b: 0.3333, c: 0.3333 });
    expect(g.byCloud).toEqual({ aws: 0.6667, gcp: 0.3333 });
    expect(g.byRegion).toEqual({ 'aws/us-east-1': 0.6667, 'gcp/europe-west1': 0.3333 });
    expect(g.byProvider).toEqual({ alchemy: 0.6667, infura: 0.3333 });
    const none = shareGroups(ups, new Map());
    expect(none.attempts).toBe(0);
    expect(none.byCloud).toEqual({ aws: 0, gcp: 0 });
  });

  it('observeTraffic records every attempt and keeps the base observer, optional methods included', () => {
    const meter = new TrafficMeter(() => 0);
    const seen: string[] = [];
    const base: Observer = {
      ...nullObserver,
      attempt: (chain, upstream) => seen.push(`attempt ${chain}/${upstream}`),
      configReload: (ok) => seen.push(`reload ${ok}`),
    };
    const observer = observeTraffic(base, meter);
    observer.attempt('eth', 'a', 'eth_call', 'ok', 5, 'primary');
    observer.configReload?.(true);
    observer.retry('eth');
    expect(seen).toEqual(['attempt eth/a', 'reload true']);
    expect(meter.recent('eth').get('a')).toBe(1);
    expect(observeTraffic(nullObserver, meter).rejected).toBeUndefined();
  });
});

describe('security.apiKeys validation', () => {
  const raw = (apiKeys: unknown[]) => ({
    security: { apiKeys },
    chains: [{ name: 'eth', chainId: 1, upstreams: [{ name: 'u', url: 'http://127.0.0.1:1/' }] }],
  });
  const fail = (apiKeys: unknown[]) => {
    try {
      buildConfig(raw(apiKeys), 'c.yaml');
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('expected a config error');
  };

  it('rejects duplicate names and duplicate keys, without echoing the key', () => {
    const names = fail([
      { name: 'a', key: 'key-one-123456' },
      { name: 'a', key: 'key-two-123456' },
    ]);
    expect(names.keyPath).toBe('security.apiKeys[1].name');
    const keys = fail([
      { name: 'a', key: 'same-key-123456' },
      { name: 'b', key: 'same-key-123456' },
    ]);
    expect(keys.keyPath).toBe('security.apiKeys[1].key');
    expect(keys.message).not.toContain('same-key-123456');
  });

  it('rejects a key that cannot be a path segment', () => {
    expect(fail([{ name: 'a', key: 'has/slash' }]).keyPath).toBe('security.apiKeys[0].key');
    expect(fail([{ name: 'a', key: 'has space' }]).keyPath).toBe('security.apiKeys[0].key');
  });
});
