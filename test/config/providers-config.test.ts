// `providers:`, an upstream's `rateLimit` and `shadow`, `routing.autoTune` and `routing.shadowRate`,
// `stateFile` (issue 24): defaults, and errors that name the key and the file.
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/config.js';

const FILE = '/etc/switchyard/prod.yaml';
const UPSTREAM = { name: 'a', url: 'https://a.example/v2/key', provider: 'alchemy' };

function build(extra: Record<string, unknown>, upstream: Record<string, unknown> = {}) {
  return buildConfig(
    { chains: [{ name: 'eth', chainId: 1, upstreams: [{ ...UPSTREAM, ...upstream }] }], ...extra },
    FILE,
  );
}

function errorOf(extra: Record<string, unknown>, upstream: Record<string, unknown> = {}): string {
  try {
    build(extra, upstream);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('providers config', () => {
  it('reads the issue example: limits in credits, a budget per 30 days, method weights', () => {
    const config = build(
      {
        providers: {
          alchemy: {
            rateLimit: { perSecond: 330, burst: 660 },
            budget: { credits: 300_000_000, per: '30d' },
            weights: { eth_getLogs: 75, eth_call: 26, eth_getBalance: 19, default: 10 },
          },
        },
        routing: { autoTune: false, shadowRate: 0.25 },
      },
      { rateLimit: { perSecond: 50, burst: 100 } },
    );
    expect(config.providers.alchemy).toEqual({
      rateLimit: { perSecond: 330, burst: 660 },
      budget: { credits: 300_000_000, periodMs: 30 * 86_400_000 },
      weights: { eth_getLogs: 75, eth_call: 26, eth_getBalance: 19, default: 10 },
    });
    expect(config.chains[0]!.upstreams[0]!.rateLimit).toEqual({ perSecond: 50, burst: 100 });
    expect(config.routing.autoTune).toBe(false);
    expect(config.routing.shadowRate).toBe(0.25);
  });

  it('defaults: no providers, auto-tune on, 10 % shadowed, burst = perSecond, state file beside the config', () => {
    const config = build({}, { rateLimit: { perSecond: 20 }, shadow: false });
    expect(config.providers).toEqual({});
    expect(config.routing.autoTune).toBe(true);
    expect(config.routing.shadowRate).toBe(0.1);
    expect(config.chains[0]!.upstreams[0]!.rateLimit).toEqual({ perSecond: 20, burst: 20 });
    expect(config.stateFile).toBe('/etc/switchyard/prod.state.json');
    expect(build({ stateFile: 'state/budgets.json' }).stateFile).toBe('/etc/switchyard/state/budgets.json');
    expect(build({ stateFile: '/var/lib/sy.json' }).stateFile).toBe('/var/lib/sy.json');
  });

  it('names the key and the file of a bad value', () => {
    expect(errorOf({ providers: { alchemy: { budget: { credits: 10, per: '30 days' } } } })).toBe(
      `${FILE}: providers.alchemy.budget.per: expected a period like "30d", "24h" or "90m" (1m to 400d)`,
    );
    expect(errorOf({ providers: { alchemy: { rateLimit: { perSecond: 0 } } } })).toContain(
      'providers.alchemy.rateLimit.perSecond: expected a number',
    );
    expect(errorOf({ providers: { alchemy: { limit: 1 } } })).toBe(
      `${FILE}: providers.alchemy.limit: unknown key (allowed: rateLimit, budget, weights)`,
    );
    expect(errorOf({ providers: { alchemy: { weights: { eth_call: 'many' } } } })).toContain(
      'providers.alchemy.weights.eth_call: expected a number',
    );
    expect(errorOf({ providers: ['alchemy'] })).toBe(`${FILE}: providers: expected a mapping`);
    expect(errorOf({}, { rateLimit: { perSecond: 5, burst: 0 } })).toContain(
      'chains[0].upstreams[0].rateLimit.burst: expected a number',
    );
    expect(errorOf({ routing: { shadowRate: 2 } })).toContain(
      'routing.shadowRate: expected a number from 0 to 1',
    );
    expect(errorOf({}, { shadow: true })).toBe(
      `${FILE}: chains[0].upstreams: expected at least one upstream that is not a shadow`,
    );
  });
});
