// The bench's pure parts: the read mix, the scenario analysis (detection, failover, recovery, calls
// into the dead domain), the SVG, the report checks, the peer configs and the fleet's error_rate.otherwise.
import { describe, expect, it } from 'vitest';
import { OUTCOME, Recording } from '../../bench/load/driver.js';
import { MIX_METHODS, mixBodies, readMix } from '../../bench/load/mix.js';
import { quantileSorted } from '../../bench/load/stats.js';
import { wrkScript } from '../../bench/overhead/wrk.js';
import { checks, findings, type ScenarioSection } from '../../bench/report/model.js';
import { scenarioSvg } from '../../bench/report/svg.js';
import { analyze, failoverMs } from '../../bench/scenarios/analyze.js';
import { SCENARIOS, scenarioByName } from '../../bench/scenarios/catalog.js';
import { FULL_TIMING, type ScenarioRun } from '../../bench/scenarios/run.js';
import { haproxyConfig } from '../../bench/targets/haproxy.js';
import { nginxConfig } from '../../bench/targets/nginx.js';
import { activeFault, type Fault } from '../../src/simulation/index.js';

const T0 = 1_000_000;

/** A synthetic run: 1 s warm-up, 2 s baseline, 2 s fault, 2 s after; a request every 10 ms. */
function syntheticRun(latencyAt: (tMs: number) => number, opts: Partial<ScenarioRun> = {}): ScenarioRun {
  const rec = new Recording(1000);
  const aws = rec.upstreamId('aws-use1-a');
  const gcp = rec.upstreamId('gcp-euw1-a');
  for (let t = 0; t < 7000; t += 10) {
    const i = rec.add(T0 + t, 0);
    rec.latencyUs[i] = latencyAt(t) * 1000;
    rec.outcome[i] = OUTCOME.ok;
    const inFault = t >= 3000 && t < 5000;
    rec.upstream[i] = inFault || t % 20 === 0 ? gcp : aws;
  }
  return {
    scenario: scenarioByName('region-blackhole')!,
    target: 'switchyard',
    timing: FULL_TIMING,
    loadStartMs: T0,
    warmupEndMs: T0 + 1000,
    faultStartMs: T0 + 3000,
    faultEndMs: T0 + 5000,
    endMs: T0 + 7000,
    steps: [{ atMs: T0 + 3000, label: 'hang' }],
    recording: rec,
    hitNames: ['aws-use1-a', 'aws-use1-b'],
    hitCalls: { 'aws-use1-a': [T0 + 3010, T0 + 3050, T0 + 3400, T0 + 4000], 'aws-use1-b': [T0 + 3020] },
    callsByProvider: {},
    events: [
      { atMs: T0 + 3080, kind: 'domain_open', key: 'region:aws/us-east-1' },
      { atMs: T0 + 3400, kind: 'domain_half_open', key: 'region:aws/us-east-1' },
    ],
    status: [],
    logTail: [],
    foreignCpuSec: null,
    ...opts,
  };
}

describe('read mix', () => {
  it('is deterministic per seed and follows the weights', () => {
    const a = mixBodies(2000, 5);
    expect(mixBodies(2000, 5)).toEqual(a);
    const counts = new Map<string, number>();
    for (const body of a) {
      const m = (JSON.parse(body) as { method: string }).method;
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...MIX_METHODS].sort());
    expect(counts.get('eth_getBalance')! / 2000).toBeCloseTo(0.3, 1);
    expect(counts.get('eth_getBlockByNumber')! / 2000).toBeCloseTo(0.15, 1);
    const mix = readMix(1);
    const first = mix.next();
    expect(MIX_METHODS[first.method]).toBe((JSON.parse(first.body) as { method: string }).method);
  });

  it('varies accounts so a cache cannot answer the mix', () => {
    const balances = mixBodies(500).filter((b) => b.includes('eth_getBalance'));
    expect(
      new Set(balances.map((b) => (JSON.parse(b) as { params: string[] }).params[0])).size,
    ).toBeGreaterThan(balances.length * 0.8);
  });
});

describe('scenario analysis', () => {
  it('computes detection, calls after detection and recovery', () => {
    const r = analyze(syntheticRun(() => 5));
    expect(r.detectMs).toBe(80);
    expect(r.detectHow).toContain('region:aws/us-east-1');
    expect(r.deadCallsDuringFault).toBe(5);
    expect(r.deadCallsAfterDetect).toBe(2);
    // First aws answer after the fault: started at 5010 (5000 is gcp), answered 5 ms later.
    expect(r.recoverMs).toBe(15);
    expect(r.failed).toBe(0);
    expect(r.requests).toBe(600);
    expect(r.phases.during.hitShare).toBe(0);
    expect(r.phases.before.hitShare).toBe(0.5);
    expect(r.failoverMs).toBe(0);
    expect(r.buckets[0]!.tMs).toBe(-2000);
    expect(r.buckets).toHaveLength(60);
  });

  it('failover time is when the rolling p99 settles under 2x the baseline', () => {
    // 5 ms before; 1000 ms for requests in the first 300 ms of the fault; 5 ms after.
    const run = syntheticRun((t) => (t >= 3000 && t < 3300 ? 1000 : 5));
    const f = failoverMs(run, 5);
    // The rolling window spans 1 s: the last slow request starts at 3290 and leaves it at 4300.
    expect(f).toBe(1300);
    expect(
      failoverMs(
        syntheticRun((t) => (t >= 3000 ? 1000 : 5)),
        5,
      ),
    ).toBeNull();
  });

  it('peers are detected when every hit upstream was marked down', () => {
    const run = syntheticRun(() => 5, {
      target: 'haproxy',
      events: [
        { atMs: T0 + 3500, kind: 'server_down', key: 'aws-use1-a' },
        { atMs: T0 + 3700, kind: 'server_down', key: 'aws-use1-b' },
      ],
    });
    const r = analyze(run);
    expect(r.detectMs).toBe(700);
    expect(r.deadCallsAfterDetect).toBe(1);
    const half = analyze(syntheticRun(() => 5, { target: 'nginx', events: [run.events[0]!] }));
    expect(half.detectMs).toBeNull();
  });

  it('counts failures per phase and kind, and wrong answers', () => {
    const run = syntheticRun(() => 5, { scenario: scenarioByName('wrong-chain')!, hitNames: ['aws-use1-a'] });
    run.recording.outcome[350] = OUTCOME.timeout; // t = 3500 ms: during
    run.recording.upstream[301] = run.recording.upstreamNames.indexOf('aws-use1-a'); // answered by the wrong chain
    run.recording.stale[620] = 1;
    const r = analyze(run);
    expect(r.failed).toBe(1);
    expect(r.phases.during.failedBy).toEqual({ timeout: 1 });
    expect(r.badAnswers).toBe(2);
  });
});

describe('report', () => {
  const section = (
    target: 'switchyard' | 'nginx' | 'haproxy',
    latency: number,
    failed = 0,
  ): ScenarioSection => {
    const r = analyze(syntheticRun(() => latency, { target }));
    r.failed = failed;
    return { name: 'region-blackhole', title: 't', what: 'w', chart: null, results: [r], skipped: [] };
  };

  it('checks targets and reports misses', () => {
    const s = section('switchyard', 5);
    s.results.push(section('nginx', 4).results[0]!, section('haproxy', 50, 3).results[0]!);
    const c = checks([s], null);
    const ahead = c.find((x) => x.target.includes('ahead of nginx'))!;
    expect(ahead.met).toBe(false); // nginx has the lower p99
    expect(c.find((x) => x.target.includes('zero failed reads'))!.met).toBe(true);
    expect(c.find((x) => x.target.includes('within 100 ms'))!.met).toBe(true);
    expect(c.find((x) => x.target.includes('Per-hop'))!.met).toBeNull();
    expect(findings([s])).toEqual([]);
    const bad = section('switchyard', 5, 7);
    expect(findings([bad])[0]).toContain('failed 7');
  });

  it('draws one SVG with every target, the fault window and the steps', () => {
    const results = [analyze(syntheticRun(() => 5)), analyze(syntheticRun(() => 1000, { target: 'nginx' }))];
    const svg = scenarioSvg(results);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('#ffcdd2'); // fault window
    expect(svg).toContain('hang');
    expect(svg).toContain('Switchyard (0 failed');
    expect(svg).toContain('nginx (0 failed');
    expect(svg).not.toContain('NaN');
  });
});

describe('peer configurations', () => {
  const ups = [
    {
      name: 'aws-use1-a',
      host: '127.0.0.1',
      port: 4001,
      cloud: 'aws',
      region: 'us-east-1',
      provider: 'alchemy',
    },
    {
      name: 'gcp-euw1-a',
      host: '127.0.0.1',
      port: 4002,
      cloud: 'gcp',
      region: 'europe-west1',
      provider: 'x',
    },
  ];

  it('nginx: keep-alive, next upstream on errors for POST, 1 s timeouts', () => {
    const conf = nginxConfig(ups, 8080, '/tmp/x', 'failover');
    expect(conf).toContain('keepalive 64;');
    expect(conf).toContain('proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;');
    expect(conf).toContain('proxy_read_timeout 1s;');
    expect(conf).toContain('server 127.0.0.1:4001 max_fails=2 fail_timeout=2s;');
    expect(nginxConfig(ups, 8080, '/tmp/x', 'overhead')).not.toContain('max_fails');
  });

  it('HAProxy: POST eth_blockNumber checks every 500 ms, L7 retries, redispatch', () => {
    const conf = haproxyConfig(ups, 8080, 'failover');
    expect(conf).toContain('option httpchk');
    expect(conf).toContain('eth_blockNumber');
    expect(conf).toContain('inter 500ms');
    expect(conf).toContain('retry-on all-retryable-errors');
    expect(conf).toContain('retries 2');
    expect(conf).toContain('timeout server 1s');
    expect(conf).toContain('option redispatch');
    expect(conf).toContain('observe layer7');
    expect(conf).toContain('server aws-use1-a 127.0.0.1:4001 check');
  });

  it('wrk script stops itself after the request cap', () => {
    const lua = wrkScript(1234);
    expect(lua).toContain('if sent > 1234 then wrk.thread:stop() end');
    expect(lua).toContain('wrk.method = "POST"');
  });
});

describe('catalogue and fleet additions', () => {
  it('every scenario is well formed', () => {
    for (const s of SCENARIOS) {
      expect(s.steps[0]!.atMs).toBe(0);
      for (const step of s.steps) expect(step.atMs).toBeLessThan(s.faultMs);
      expect(s.fleet().length).toBeGreaterThanOrEqual(5);
    }
    const provider = scenarioByName('provider-outage')!;
    const alchemy = provider.fleet().filter((p) => p.provider === 'alchemy');
    expect(new Set(alchemy.map((p) => p.region)).size).toBe(2);
  });

  it('error_rate.otherwise applies to the requests the rate does not hit', () => {
    const fault: Fault = {
      kind: 'error_rate',
      rate: 0.25,
      fault: { kind: 'http_status', status: 503 },
      otherwise: { kind: 'slow', extraMs: 100 },
    };
    const kinds = [0, 1, 2, 3, 4, 5, 6, 7].map((seq) => activeFault(fault, 0, seq).kind);
    expect(kinds.filter((k) => k === 'http_status')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'slow')).toHaveLength(6);
    expect(activeFault({ kind: 'error_rate', rate: 0.25, fault: { kind: 'hang' } }, 0, 0).kind).toBe('none');
  });

  it('quantiles use the nearest rank', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(quantileSorted(sorted, 0.5)).toBe(5);
    expect(quantileSorted(sorted, 0.99)).toBe(10);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeUndefined();
  });
});
