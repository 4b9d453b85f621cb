// GET /metrics and the traffic-share fields of /status through real sockets: the standard fleet behind
// the balancer with the CLI's wiring, traffic, a region outage, a reload; and the Grafana dashboard
// and docs only name metrics that exist.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import {
  fleetUpstreams,
  parseProm,
  ROOT,
  type Sample,
  SPREAD_ROUTING,
  series,
  sleep,
  total,
} from '../helpers/ops.js';

let fleet: Fleet;
let balancer: TestBalancer;

const SETTINGS = {
  // Up after one good check; down only after three failed ones, so in the outage test live traffic
  // (not a probe) finds the dead region and opens its domain.
  health: {
    interval: '300ms',
    downInterval: '100ms',
    busyInterval: '300ms',
    timeout: '200ms',
    rise: 1,
    fall: 3,
  },
  // Once open, a domain stays open for the rest of the test: states are asserted, not timings.
  breakers: { domain: { backoff: '30s', maxBackoff: '30s' } },
  routing: { ...SPREAD_ROUTING, hedge: { minDelay: '20ms', maxDelay: '40ms' } },
};

function config(upstreams: ReturnType<typeof fleetUpstreams>) {
  return {
    ...SETTINGS,
    server: { host: '127.0.0.1', port: 0 },
    chains: [{ name: 'ethereum', chainId: 1, upstreams }],
  };
}

const call = (method: string, params: unknown[] = [], id = 1) =>
  postRaw(balancer.url, JSON.stringify({ jsonrpc: '2.0', id, method, params }));

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${balancer.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseProm(await res.text());
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

beforeAll(async () => {
  fleet = await startFleet({ providers: standardFleet() });
  balancer = await startBalancer(config(fleetUpstreams(fleet)), { operations: true });
  // Every upstream checked up before traffic, so the state gauges have settled.
  await until('all upstreams up', async () => {
    const s = await scrape();
    return series(s, 'switchyard_upstream_health_state', { state: 'up' }).filter((x) => x.value === 1)
      .length === 5
      ? true
      : undefined;
  });
});

afterAll(async () => {
  await balancer?.close();
  await fleet?.close();
});

describe('GET /metrics', () => {
  it('counts calls by chain, bounded method label and result, with latency histograms', async () => {
    for (let i = 0; i < 40; i++) expect((await call('eth_blockNumber', [], i)).status).toBe(200);
    await call('eth_thisMethodNameIsClientInput_123');
    const s = await scrape();
    expect(
      total(s, 'switchyard_requests_total', { chain: 'ethereum', method: 'eth_blockNumber', result: 'ok' }),
    ).toBeGreaterThanOrEqual(40);
    // Raw client input never becomes a label value.
    expect(s.some((x) => Object.values(x.labels).some((v) => v.includes('thisMethodName')))).toBe(false);
    expect(total(s, 'switchyard_requests_total', { method: 'other' })).toBeGreaterThanOrEqual(1);
    expect(
      total(s, 'switchyard_request_duration_seconds_count', { chain: 'ethereum', method: 'eth_blockNumber' }),
    ).toBeGreaterThanOrEqual(40);
    const attemptsBy = series(s, 'switchyard_upstream_attempt_duration_seconds_count');
    expect(new Set(attemptsBy.map((x) => x.labels.upstream)).size).toBeGreaterThanOrEqual(2);
    expect(total(s, 'switchyard_upstream_attempts_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(40);
  });

  it('reports live upstream, domain and chain state read at scrape time', async () => {
    const s = await scrape();
    const names = fleet.providers.map((p) => p.name).sort();
    const info = series(s, 'switchyard_upstream_info');
    expect(info.map((x) => x.labels.upstream).sort()).toEqual(names);
    expect(series(s, 'switchyard_upstream_info', { upstream: 'lava-1' })[0]!.labels).toMatchObject({
      cloud: 'decentralized',
      provider: 'lava',
      network: 'lava',
    });
    for (const name of names) {
      const labels = { chain: 'ethereum', upstream: name };
      expect(total(s, 'switchyard_upstream_usable', labels)).toBe(1);
      expect(total(s, 'switchyard_upstream_health_state', labels)).toBe(1); // one-hot
      expect(total(s, 'switchyard_upstream_breaker_state', { ...labels, state: 'closed' })).toBe(1);
      expect(series(s, 'switchyard_upstream_block_lag', labels)).toHaveLength(1);
      expect(total(s, 'switchyard_upstream_latency_ewma_seconds', labels)).toBeGreaterThan(0);
      expect(series(s, 'switchyard_upstream_in_flight', labels)).toHaveLength(1);
    }
    expect(total(s, 'switchyard_chain_head_block', { chain: 'ethereum' })).toBe(fleet.chain.head);
    expect(total(s, 'switchyard_panic_mode', { chain: 'ethereum' })).toBe(0);
    const domains = series(s, 'switchyard_domain_state', { state: 'closed' });
    expect(domains.map((d) => d.labels.domain)).toContain('region:aws/us-east-1');
    expect(domains.every((d) => d.value === 1)).toBe(true);
    // The scrape itself is an HTTP request in flight.
    expect(total(s, 'switchyard_http_requests_in_flight')).toBeGreaterThanOrEqual(1);
    expect(series(s, 'switchyard_build_info')[0]!.labels.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('includes event-loop lag and process metrics', async () => {
    const s = await scrape();
    for (const name of [
      'switchyard_nodejs_eventloop_lag_seconds',
      'switchyard_nodejs_eventloop_lag_p99_seconds',
      'switchyard_process_cpu_seconds_total',
      'switchyard_process_resident_memory_bytes',
      'switchyard_nodejs_heap_size_used_bytes',
    ]) {
      expect(series(s, name), name).toHaveLength(1);
    }
  });

  it('gives the traffic share per cloud and provider, as a gauge and as counters that add up', async () => {
    const s = await scrape();
    const byCloud = series(s, 'switchyard_traffic_share_ratio', { chain: 'ethereum', by: 'cloud' });
    expect(byCloud.reduce((sum, x) => sum + x.value, 0)).toBeCloseTo(1, 2);
    const byProvider = series(s, 'switchyard_traffic_share_ratio', { by: 'provider' });
    expect(byProvider.reduce((sum, x) => sum + x.value, 0)).toBeCloseTo(1, 2);
    expect(new Set(byProvider.map((x) => x.labels.key))).toEqual(
      new Set(['alchemy', 'infura', 'quicknode', 'ankr', 'lava']),
    );
    // Counters per domain label add up to the per-upstream attempt counters.
    expect(total(s, 'switchyard_traffic_attempts_total')).toBe(
      total(s, 'switchyard_upstream_attempts_total'),
    );
    expect(
      total(s, 'switchyard_traffic_attempts_total', { cloud: 'aws', region: 'us-east-1' }),
    ).toBeGreaterThan(0);
    // /status shows the same shares.
    const doc = (await getJson(`${balancer.url}/status`)).json as {
      shareWindowSeconds: number;
      chains: {
        traffic: { attempts: number; byCloud: Record<string, number> };
        domains: { key: string; share: number }[];
        upstreams: { share: number }[];
      }[];
    };
    const chain = doc.chains[0]!;
    expect(doc.shareWindowSeconds).toBe(10);
    expect(chain.traffic.attempts).toBeGreaterThanOrEqual(40);
    expect(Object.values(chain.traffic.byCloud).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(chain.upstreams.reduce((a, u) => a + u.share, 0)).toBeCloseTo(1, 2);
    const aws = chain.domains.find((d) => d.key === 'region:aws/us-east-1')!;
    expect(aws.share).toBeCloseTo(chain.traffic.byCloud.aws!, 3);
  });

  it('counts method denials', async () => {
    const res = await call('admin_peers');
    expect(res.text).toContain('-32053');
    const s = await scrape();
    expect(total(s, 'switchyard_rejected_total', { reason: 'method_denied' })).toBe(1);
  });

  it('shows hedges won when an upstream is slow', async () => {
    await fleet.setFault({ cloud: 'aws' }, { kind: 'slow', extraMs: 150 });
    try {
      await until(
        'a hedge won',
        async () => {
          await Promise.all(
            Array.from({ length: 8 }, (_, i) => call('eth_getBalance', ['0x01', 'latest'], i)),
          );
          return total(await scrape(), 'switchyard_hedges_total', { chain: 'ethereum', result: 'won' }) > 0
            ? true
            : undefined;
        },
        8000,
      );
    } finally {
      await fleet.setFault({ cloud: 'aws' }, { kind: 'none' });
    }
  });

  it('shows a region outage: domain transition, domain state, unusable upstreams, retries, failed checks', async () => {
    await fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'refuse' });
    const s = await until(
      'region:aws/us-east-1 open',
      async () => {
        await Promise.all(Array.from({ length: 10 }, (_, i) => call('eth_blockNumber', [], i)));
        const s = await scrape();
        return total(s, 'switchyard_domain_state', { domain: 'region:aws/us-east-1', state: 'open' }) === 1
          ? s
          : undefined;
      },
      8000,
    );
    expect(
      total(s, 'switchyard_breaker_transitions_total', {
        kind: 'domain',
        chain: 'ethereum',
        key: 'region:aws/us-east-1',
        to: 'open',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(s, 'switchyard_upstream_usable', { upstream: 'aws-use1-a' })).toBe(0);
    expect(total(s, 'switchyard_upstream_usable', { upstream: 'gcp-euw1-a' })).toBe(1);
    // Its calls in flight were reset and its new connections refused: either shows as a failed attempt,
    // or, when the detector's probes saw the region go before a call did, as failed probes.
    const failedAttempts = (outcome: string) =>
      total(s, 'switchyard_upstream_attempts_total', { upstream: 'aws-use1-a', outcome });
    const failedProbes = total(s, 'switchyard_health_checks_total', {
      upstream: 'aws-use1-a',
      result: 'fail',
    });
    expect(failedAttempts('connect_error') + failedAttempts('upstream_error') + failedProbes).toBeGreaterThan(
      0,
    );
    expect(total(s, 'switchyard_upstream_detection_state', { upstream: 'aws-use1-a' })).toBe(2);
    expect(total(s, 'switchyard_panic_mode')).toBe(0);
    await until('a failed health check', async () =>
      total(await scrape(), 'switchyard_health_checks_total', { upstream: 'aws-use1-b', result: 'fail' }) > 0
        ? true
        : undefined,
    );
    // While the region is open, no new traffic goes there: its share drops as the window moves on.
    const doc = (await getJson(`${balancer.url}/status`)).json as {
      chains: { domains: { key: string; state: string }[] }[];
    };
    expect(doc.chains[0]!.domains.find((d) => d.key === 'region:aws/us-east-1')!.state).toBe('open');
  });

  it('reflects a reload at once: removed upstreams vanish from the live gauges, new ones appear', async () => {
    const kept = fleetUpstreams(fleet).filter((u) => u.name !== 'lava-1');
    const renamed = { ...kept[2]!, name: 'gcp-renamed' };
    const next = buildConfig(config([...kept.slice(0, 2), renamed, ...kept.slice(3)]), 'test.yaml');
    await balancer.server.reload(next);
    const s = await scrape();
    const upstreams = series(s, 'switchyard_upstream_info').map((x) => x.labels.upstream);
    expect(upstreams).not.toContain('lava-1');
    expect(upstreams).not.toContain('gcp-euw1-a');
    expect(upstreams).toContain('gcp-renamed');
    expect(series(s, 'switchyard_upstream_usable', { upstream: 'lava-1' })).toHaveLength(0);
    expect(series(s, 'switchyard_domain_state', { domain: 'network:lava' })).toHaveLength(0);
    // The region's setup did not change: the new runtime keeps its breaker, still not closed.
    expect(total(s, 'switchyard_domain_state', { domain: 'region:aws/us-east-1', state: 'closed' })).toBe(0);
  });
});

describe('Grafana dashboard and docs', () => {
  /** Metric families from the `# TYPE` lines (present even before a counter has any sample). */
  const metricNames = async () => {
    const text = await (await fetch(`${balancer.url}/metrics`)).text();
    return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  };

  it('every switchyard_ metric the Grafana dashboard queries exists', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'grafana/switchyard-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const used = new Set(
      exprs.flatMap((e) => e.match(/switchyard_[a-z0-9_]+/g) ?? []).map((n) => n.replace(/_bucket$/, '')),
    );
    const known = await metricNames();
    const missing = [...used].filter((n) => !known.has(n));
    expect(missing).toEqual([]);
  });

  it('README.md lists every switchyard_ metric family except the Node defaults', async () => {
    const doc = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const known = [...(await metricNames())].filter(
      (n) => !n.startsWith('switchyard_nodejs_') && !n.startsWith('switchyard_process_'),
    );
    const undocumented = known.filter((n) => !doc.includes(`\`${n}\``));
    expect(undocumented).toEqual([]);
  });
});
