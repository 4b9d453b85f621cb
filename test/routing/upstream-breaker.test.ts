// The per-upstream opossum breaker as Switchyard configures it, driven with virtual time: verdicts
// decide, neutral outcomes do not count, it half-opens after resetTimeout and admits one probe.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { NeutralVerdict, Upstream } from '../../src/routing/upstream.js';

let upstream: Upstream;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  const config = buildConfig(
    {
      breakers: {
        upstream: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeout: '500ms', window: '2s' },
      },
      chains: [{ name: 'eth', chainId: 1, upstreams: [{ name: 'u', url: 'http://127.0.0.1:9/' }] }],
    },
    't.yaml',
  );
  upstream = new Upstream(config.chains[0]!.upstreams[0]!, 'eth', config, 0);
});

afterEach(async () => {
  await upstream.close();
  vi.useRealTimers();
});

async function verdict(outcome: 'success' | 'failure' | 'neutral') {
  const p =
    outcome === 'success'
      ? Promise.resolve()
      : Promise.reject(outcome === 'neutral' ? new NeutralVerdict() : new Error('failed'));
  await upstream.breaker.fire(p).catch(() => {});
}

describe('upstream breaker', () => {
  it('stays closed below the volume threshold, opens at more than 50 % failures', async () => {
    await verdict('failure');
    await verdict('failure');
    await verdict('failure');
    expect(upstream.breakerState).toBe('closed');
    await verdict('failure');
    expect(upstream.breakerState).toBe('open');
    expect(upstream.breakerAdmits).toBe(false);
  });

  it('does not count neutral outcomes (throttled, unsupported, cancelled) as failures', async () => {
    for (let i = 0; i < 10; i++) await verdict('neutral');
    expect(upstream.breakerState).toBe('closed');
  });

  it('half-opens after resetTimeout, admits one probe, and closes on its success', async () => {
    for (let i = 0; i < 4; i++) await verdict('failure');
    expect(upstream.breakerState).toBe('open');
    vi.advanceTimersByTime(499);
    expect(upstream.breakerState).toBe('open');
    vi.advanceTimersByTime(1);
    expect(upstream.breakerState).toBe('half_open');
    expect(upstream.breakerAdmits).toBe(true);
    let settle!: () => void;
    const probe = upstream.breaker.fire(new Promise<void>((r) => (settle = r)));
    expect(upstream.breakerAdmits).toBe(false); // the probe is out
    settle();
    await probe;
    expect(upstream.breakerState).toBe('closed');
    expect(upstream.ramp.startMs).toBe(500); // slow start begins
  });

  it('re-opens when the probe fails', async () => {
    for (let i = 0; i < 4; i++) await verdict('failure');
    vi.advanceTimersByTime(500);
    await verdict('failure');
    expect(upstream.breakerState).toBe('open');
  });

  it('forgets failures that left the rolling window', async () => {
    await verdict('failure');
    await verdict('failure');
    await verdict('failure');
    vi.advanceTimersByTime(2500);
    await verdict('failure');
    expect(upstream.breakerState).toBe('closed');
  });
});
