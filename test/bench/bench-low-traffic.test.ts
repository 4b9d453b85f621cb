// The low-traffic group's pure parts (issue 20): turning hand-made reads, target events, /status polls,
// ranked orders and upstream calls into a row's figures, the issue 20 checks per Switchyard row and
// per read rate, the /status reduction, the cheap read mix and the report table; and the rows of the
// other families (the hang on solana, bitcoin, cometbft chains): plan, reads, checks, table.
import { describe, expect, it } from 'vitest';
import { FAMILY_READS, familyReadMethods } from '../../bench/families/reads.js';
import { OUTCOME, Recording } from '../../bench/load/driver.js';
import {
  analyzeLowTraffic,
  type LowTrafficRecord,
  probeTraffic,
  type ReadRecord,
  rankAt,
  readsOfRecording,
  recoverReadMs,
  type StatusPoll,
} from '../../bench/low-traffic/analyze.js';
import { chainKit } from '../../bench/low-traffic/chains.js';
import { levelChecks, rowChecks } from '../../bench/low-traffic/checks.js';
import {
  detectionBoundMs,
  FULL_LOW_TRAFFIC_TIMING,
  faultLabel,
  hitNamesOf,
  LOW_TRAFFIC_FAMILY_FAULTS,
  LOW_TRAFFIC_FAULTS,
  LOW_TRAFFIC_TARGETS,
  levelGroupsOf,
  levelsSkipped,
  lowTrafficFaults,
  lowTrafficSteps,
  lowTrafficWeightMs,
  QUICK_LOW_TRAFFIC_TIMING,
} from '../../bench/low-traffic/plan.js';
import { CHEAP_METHODS, cheapRead, cheapReadMix } from '../../bench/low-traffic/reads.js';
import { CLIENT_SETTINGS, type LowTrafficSection, probeSummary } from '../../bench/low-traffic/run.js';
import { readStatus } from '../../bench/low-traffic/status-poll.js';
import { lowTrafficChecks, lowTrafficTable } from '../../bench/report/low-traffic-markdown.js';

const T0 = 2_000_000;
const AWS = ['aws-use1-a', 'aws-use1-b'];
const DOMAIN = 'region:aws/us-east-1';
// Timeline: load from T0, warm-up 1 s, baseline 2 s, fault 4 s (T0+3000 .. T0+7000), 3 s after.
const FAULT = T0 + 3000;
const HEAL = T0 + 7000;

function read(
  tMs: number,
  latencyMs: number,
  upstream: string | null,
  ok = true,
  error?: string,
): ReadRecord {
  return {
    startMs: T0 + tMs,
    latencyMs,
    ok,
    upstream: ok ? upstream : null,
    method: 'eth_blockNumber',
    error: ok ? null : (error ?? 'timeout'),
  };
}

function poll(tMs: number, domainState: string, usable: boolean): StatusPoll {
  return { atMs: T0 + tMs, domainState, usable: { 'aws-use1-a': usable, 'aws-use1-b': usable } };
}

function record(opts: Partial<LowTrafficRecord> = {}): LowTrafficRecord {
  return {
    target: 'switchyard',
    fault: 'hang',
    chain: 'ethereum',
    level: 5,
    readyAtMs: T0,
    loadStartMs: T0,
    measureFromMs: T0 + 1000,
    faultStartMs: FAULT,
    faultEndMs: HEAL,
    endMs: T0 + 10_000,
    upstreams: ['aws-use1-a', 'aws-use1-b', 'gcp-euw1-a', 'gcp-euw1-b', 'lava-1'],
    hit: AWS,
    domain: DOMAIN,
    reads: [],
    droppedReads: 0,
    events: [],
    statusPolls: [],
    rankings: [],
    calls: [],
    ...opts,
  };
}

/** Reads every 200 ms over the whole timeline: aws answers 3 ms, except during the fault (gcp 8 ms). */
function steadyReads(faultLatency = 8): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (let t = 0; t < 10_000; t += 200) {
    const inFault = t >= 3000 && t < 7000;
    out.push(read(t, inFault ? faultLatency : 3, inFault ? 'gcp-euw1-a' : 'aws-use1-a'));
  }
  return out;
}

describe('low traffic: Switchyard detection and rotation', () => {
  it('takes the earlier of the domain_open log line and the first /status answer showing it open', () => {
    const logFirst = analyzeLowTraffic(
      record({
        events: [{ atMs: FAULT + 120, kind: 'domain_open', key: DOMAIN }],
        statusPolls: [poll(2990, 'closed', true), poll(3110, 'closed', false), poll(3135, 'open', false)],
      }),
    ).figures;
    expect(logFirst).toMatchObject({
      detectMs: 120,
      detectSource: 'log',
      detectLogMs: 120,
      detectStatusMs: 135,
    });

    const statusFirst = analyzeLowTraffic(
      record({
        events: [{ atMs: FAULT + 140, kind: 'domain_open', key: DOMAIN }],
        statusPolls: [poll(3130, 'open', false)],
      }),
    ).figures;
    expect(statusFirst).toMatchObject({ detectMs: 130, detectSource: 'status', detectLogMs: 140 });
  });

  it('ignores other domains, opens before the fault and opens after the heal', () => {
    const f = analyzeLowTraffic(
      record({
        events: [
          { atMs: FAULT - 500, kind: 'domain_open', key: DOMAIN },
          { atMs: FAULT + 50, kind: 'domain_open', key: 'provider:alchemy' },
          { atMs: HEAL + 10, kind: 'domain_open', key: DOMAIN },
        ],
        statusPolls: [poll(2500, 'open', false), poll(7100, 'open', false)],
      }),
    ).figures;
    expect(f.detectMs).toBeNull();
    expect(f.detectSource).toBeNull();
  });

  it('is back in rotation at the first /status answer after the heal with the domain closed and every hit member usable', () => {
    const f = analyzeLowTraffic(
      record({
        events: [{ atMs: FAULT + 80, kind: 'domain_open', key: DOMAIN }],
        statusPolls: [
          poll(3090, 'open', false),
          poll(7050, 'half_open', false),
          poll(7300, 'closed', false),
          { atMs: HEAL + 400, domainState: 'closed', usable: { 'aws-use1-a': true, 'aws-use1-b': false } },
          poll(7420, 'closed', true),
        ],
      }),
    ).figures;
    expect(f.rotation).toMatchObject({ state: 'back', ms: 420 });
  });

  it('says "never out" when neither the domain nor a hit member changed during the fault', () => {
    const f = analyzeLowTraffic(
      record({
        statusPolls: [poll(3000, 'closed', true), poll(5000, 'closed', true), poll(7020, 'closed', true)],
      }),
    ).figures;
    expect(f.detectMs).toBeNull();
    expect(f.rotation.state).toBe('never out');
  });

  it('says "not back" when the domain is still open at the end', () => {
    const f = analyzeLowTraffic(
      record({ statusPolls: [poll(3100, 'open', false), poll(9900, 'open', false)] }),
    ).figures;
    expect(f.rotation).toMatchObject({ state: 'not back', ms: null });
  });
});

describe('low traffic: reads', () => {
  it('counts failed reads after the warm-up and takes p99/max of the reads in the fault against the baseline', () => {
    const reads = steadyReads();
    reads.push(read(500, 900, null, false)); // warm-up: not counted
    reads.push(read(4000, 5000, null, false, 'timeout'));
    const f = analyzeLowTraffic(record({ reads })).figures;
    expect(f.reads).toBe(46); // 45 reads from 1 s on + the failed one during the fault
    expect(f.failed).toBe(1);
    expect(f.failedInFault).toBe(1);
    expect(f.failedBy).toEqual({ timeout: 1 });
    expect(f.baselineP99Ms).toBe(3);
    expect(f.p99InFaultMs).toBe(5000);
    expect(f.maxInFaultMs).toBe(5000);
    expect(f.readsInFault).toBe(21);
  });

  it('counts a read still in flight when the fault began in the fault, not in the baseline', () => {
    const reads = steadyReads();
    reads.push(read(2999, 5000, null, false, 'timeout'));
    const f = analyzeLowTraffic(record({ reads })).figures;
    expect(f.baselineP99Ms).toBe(3);
    expect(f.p99InFaultMs).toBe(5000);
    expect(f.readsInFault).toBe(21);
  });

  it('recovers at the first answer from a hit upstream to a read started after the heal', () => {
    const reads = [
      read(6990, 30, 'aws-use1-a'), // started before the heal
      read(7100, 8, 'gcp-euw1-a'),
      read(7300, 4, 'aws-use1-b'),
      read(7500, 2, 'aws-use1-a'),
      read(7200, 500, null, false),
    ];
    expect(recoverReadMs(reads, AWS, HEAL)).toBe(304);
    expect(analyzeLowTraffic(record({ reads })).figures.recoverReadMs).toBe(304);
    expect(recoverReadMs([read(7100, 8, 'gcp-euw1-a')], AWS, HEAL)).toBeNull();
  });

  it('turns the load driver recording into read records', () => {
    const rec = new Recording(4);
    const a = rec.add(T0, 1);
    rec.latencyUs[a] = 2500;
    rec.outcome[a] = OUTCOME.ok;
    rec.upstream[a] = rec.upstreamId('aws-use1-a');
    const b = rec.add(T0 + 10, 0);
    rec.latencyUs[b] = 5_000_000;
    rec.outcome[b] = OUTCOME.timeout;
    expect(readsOfRecording(rec)).toEqual([
      {
        startMs: T0,
        latencyMs: 2.5,
        ok: true,
        upstream: 'aws-use1-a',
        method: 'eth_getBalance',
        error: null,
      },
      {
        startMs: T0 + 10,
        latencyMs: 5000,
        ok: false,
        upstream: null,
        method: 'eth_blockNumber',
        error: 'timeout',
      },
    ]);
  });
});

describe('low traffic: peers and client libraries', () => {
  it('HAProxy: detected when every hit server is marked DOWN, back when every one is UP again', () => {
    const events = [
      { atMs: FAULT + 700, kind: 'server_down' as const, key: 'aws-use1-b' },
      { atMs: FAULT + 900, kind: 'server_down' as const, key: 'aws-use1-a' },
      { atMs: HEAL + 300, kind: 'server_up' as const, key: 'aws-use1-a' },
      { atMs: HEAL + 550, kind: 'server_up' as const, key: 'aws-use1-b' },
    ];
    const f = analyzeLowTraffic(record({ target: 'haproxy', events })).figures;
    expect(f).toMatchObject({ detectMs: 900, detectSource: 'marked down' });
    expect(f.rotation).toMatchObject({ state: 'back', ms: 550 });

    const one = analyzeLowTraffic(record({ target: 'haproxy', events: events.slice(0, 1) })).figures;
    expect(one.detectMs).toBeNull();
    expect(one.rotation.state).toBe('not back');
    expect(analyzeLowTraffic(record({ target: 'haproxy' })).figures.rotation.state).toBe('never out');
  });

  it('nginx: "temporarily disabled" lines detect; there is no back-in-rotation signal', () => {
    const f = analyzeLowTraffic(
      record({
        target: 'nginx',
        events: AWS.map((key, k) => ({ atMs: FAULT + 1000 + k, kind: 'server_down' as const, key })),
      }),
    ).figures;
    expect(f.detectMs).toBe(1001);
    expect(f.rotation.state).toBe('no signal');
  });

  it('viem: detected when its ranking puts an upstream the fault does not hit first, back when a hit one is first again', () => {
    const rankings = [
      { atMs: T0 - 500, order: ['aws-use1-b', 'aws-use1-a', 'gcp-euw1-a', 'gcp-euw1-b', 'lava-1'] },
      { atMs: FAULT + 300, order: ['aws-use1-a', 'aws-use1-b', 'gcp-euw1-a', 'gcp-euw1-b', 'lava-1'] },
      { atMs: FAULT + 2100, order: ['gcp-euw1-a', 'gcp-euw1-b', 'lava-1', 'aws-use1-b', 'aws-use1-a'] },
      { atMs: HEAL + 4100, order: ['aws-use1-b', 'gcp-euw1-a', 'gcp-euw1-b', 'lava-1', 'aws-use1-a'] },
    ];
    expect(rankAt(rankings, FAULT)?.[0]).toBe('aws-use1-b');
    expect(rankAt(rankings, T0 - 600)).toBeNull();
    const f = analyzeLowTraffic(record({ target: 'viem', rankings, endMs: HEAL + 5000 })).figures;
    expect(f).toMatchObject({ detectMs: 2100, detectSource: 'rank' });
    expect(f.rotation).toMatchObject({ state: 'back', ms: 4100 });

    const healthyFirst = analyzeLowTraffic(
      record({
        target: 'viem',
        fault: '503',
        hit: ['aws-use1-a', 'gcp-euw1-a'],
        rankings: [{ atMs: T0, order: ['aws-use1-b', 'aws-use1-a'] }],
      }),
    ).figures;
    expect(healthyFirst.detectMs).toBeNull();
    expect(healthyFirst.detectHow).toContain('ranked first already');
    expect(healthyFirst.rotation.state).toBe('no signal');
  });

  it('ethers: no signal at all', () => {
    const f = analyzeLowTraffic(record({ target: 'ethers', reads: steadyReads() })).figures;
    expect(f.detectMs).toBeNull();
    expect(f.detectHow).toContain('marks no provider down');
    expect(f.rotation.state).toBe('no signal');
  });
});

describe('low traffic: probe traffic', () => {
  const calls = [
    { upstream: 'aws-use1-a', method: 'eth_chainId', atMs: T0 + 100 },
    { upstream: 'aws-use1-a', method: 'eth_blockNumber', atMs: T0 + 101 },
    { upstream: 'aws-use1-a', method: 'eth_chainId', atMs: T0 + 2100 },
    { upstream: 'aws-use1-a', method: 'eth_blockNumber', atMs: T0 + 2101 },
    { upstream: 'gcp-euw1-a', method: 'eth_chainId', atMs: T0 + 1500 },
    { upstream: 'aws-use1-a', method: 'eth_chainId', atMs: FAULT + 10 }, // in the fault: not probe traffic
    { upstream: 'aws-use1-b', method: 'eth_chainId', atMs: FAULT + 20 },
  ];

  it('counts what each upstream received before the fault at 0 reads/s, per second and by method', () => {
    const p = probeTraffic(calls, ['aws-use1-a', 'aws-use1-b', 'gcp-euw1-a'], T0, FAULT);
    expect(p.windowMs).toBe(3000);
    expect(p.upstreams['aws-use1-a']).toEqual({
      calls: 4,
      perSec: 1.33,
      methods: { eth_chainId: 2, eth_blockNumber: 2 },
    });
    expect(p.upstreams['aws-use1-b']).toEqual({ calls: 0, perSec: 0, methods: {} });
    const row = analyzeLowTraffic(record({ level: 0, calls }));
    expect(row.figures.probes?.upstreams['gcp-euw1-a']?.calls).toBe(1);
    expect(Object.keys(row.figures.probes?.upstreams ?? {})).toHaveLength(5);
    expect(row.figures.hitCallsInFault).toBe(2);
    expect(analyzeLowTraffic(record({ level: 5, calls })).figures.probes).toBeNull();
  });

  it('sums the 0 reads/s runs per target', () => {
    const rows = [
      analyzeLowTraffic(record({ level: 0, calls })),
      analyzeLowTraffic(record({ level: 0, fault: 'refuse', calls: calls.slice(0, 2) })),
      analyzeLowTraffic(record({ level: 5, calls })),
    ];
    const [sum] = probeSummary(rows);
    expect(sum?.target).toBe('switchyard');
    expect(sum?.traffic.windowMs).toBe(6000);
    expect(sum?.traffic.upstreams['aws-use1-a']).toMatchObject({ calls: 6, perSec: 1 });
  });
});

describe('low traffic: issue 20 checks', () => {
  it('bounds detection by the read rate: 100 ms at >= 50, 250 ms at 5, 1 s at 0', () => {
    expect([0, 5, 50, 400].map(detectionBoundMs)).toEqual([1000, 250, 100, 100]);
  });

  it('checks a Switchyard row: detection, failed reads, p99 against the baseline, back in rotation', () => {
    const reads = steadyReads(20);
    reads.push(read(7150, 4, 'aws-use1-a'));
    const row = analyzeLowTraffic(
      record({
        level: 5,
        reads,
        events: [{ atMs: FAULT + 240, kind: 'domain_open', key: DOMAIN }],
        statusPolls: [poll(3260, 'open', false), poll(7100, 'closed', true)],
      }),
    );
    const checks = Object.fromEntries(rowChecks(row).map((c) => [c.kind, c]));
    expect(checks.detect).toMatchObject({ met: true, figure: '240 ms (log)' });
    expect(checks.failed).toMatchObject({ met: true, figure: '0 of 46' });
    expect(checks.p99).toMatchObject({ met: true, figure: '20 vs 3 ms' });
    expect(checks.rotation).toMatchObject({ met: true, figure: '/status 100 ms; first read 3 ms' });

    const late = analyzeLowTraffic(
      record({
        level: 50,
        reads: steadyReads(40),
        events: [{ atMs: FAULT + 240, kind: 'domain_open', key: DOMAIN }],
      }),
    );
    const lateChecks = Object.fromEntries(rowChecks(late).map((c) => [c.kind, c]));
    expect(lateChecks.detect?.met).toBe(false);
    expect(lateChecks.p99).toMatchObject({ met: false, figure: '40 vs 3 ms' });
    // Out (domain opened) but no /status after the heal, no read from aws after it either.
    expect(lateChecks.rotation?.met).toBe(false);
  });

  it('leaves the read checks out at 0 reads/s and judges rotation by /status alone', () => {
    const row = analyzeLowTraffic(record({ level: 0, statusPolls: [poll(3500, 'closed', true)] }));
    const checks = rowChecks(row);
    expect(checks.map((c) => [c.kind, c.met])).toEqual([
      ['detect', false],
      ['failed', null],
      ['p99', null],
      ['rotation', true],
    ]);
    expect(checks[0]?.figure).toBe('never');
    expect(checks[3]?.figure).toBe('/status: never taken out');
  });

  it('aggregates per read rate over the faults: met only when every applicable row met it', () => {
    const fast = analyzeLowTraffic(
      record({ fault: 'refuse', level: 0, events: [{ atMs: FAULT + 30, kind: 'domain_open', key: DOMAIN }] }),
    );
    const never = analyzeLowTraffic(record({ fault: 'hang', level: 0 }));
    const nginxRow = analyzeLowTraffic(record({ target: 'nginx', level: 0 }));
    const checks = levelChecks([fast, never, nginxRow]);
    const detect = checks.find((c) => c.kind === 'detect');
    expect(detect).toMatchObject({ level: 0, met: false, target: 'domain opens within 1 s' });
    expect(detect?.figure).toBe('refuse: 30 ms (log); hang: never');
    expect(checks.find((c) => c.kind === 'failed')?.met).toBeNull();
    expect(levelChecks([fast]).find((c) => c.kind === 'detect')?.met).toBe(true);

    const section = { rows: [fast, never], targets: ['switchyard'] } as unknown as LowTrafficSection;
    const report = lowTrafficChecks(section);
    expect(report.every((c) => c.source === 'issue 20')).toBe(true);
    expect(report[0]?.target).toBe('low traffic, 0 reads/s: domain opens within 1 s');
  });
});

describe('low traffic: plan, status and reads', () => {
  it('reduces /status to the domain state and the hit members’ usable flags', () => {
    const doc = {
      chains: [
        {
          domains: [
            { key: 'region:gcp/europe-west1', state: 'closed' },
            { key: DOMAIN, state: 'open' },
          ],
          upstreams: [
            { name: 'aws-use1-a', usable: false },
            { name: 'aws-use1-b', usable: true },
            { name: 'gcp-euw1-a', usable: true },
          ],
        },
      ],
    };
    expect(readStatus(doc, DOMAIN, AWS)).toEqual({
      domainState: 'open',
      usable: { 'aws-use1-a': false, 'aws-use1-b': true },
    });
    expect(readStatus({}, DOMAIN, AWS)).toEqual({ domainState: null, usable: {} });
  });

  it('sends only eth_blockNumber and eth_getBalance, deterministically', () => {
    const a = cheapReadMix(3);
    const b = cheapReadMix(3);
    const methods = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const r = a.next();
      expect(b.next().body).toBe(r.body);
      const parsed = cheapRead(r.body);
      methods.add(parsed.method);
      if (parsed.method === 'eth_getBalance') expect(parsed.params[1]).toBe('latest');
    }
    expect([...methods].sort()).toEqual([...CHEAP_METHODS].sort());
    expect(() => cheapRead('{"method":"eth_call","params":[]}')).toThrow();
  });

  it('knows which upstreams each fault hits and which rates each target runs', () => {
    expect(LOW_TRAFFIC_FAULTS.map((f) => [f.name, hitNamesOf(f), f.domain])).toEqual([
      ['hang', AWS, DOMAIN],
      ['refuse', AWS, DOMAIN],
      ['503', ['aws-use1-a', 'gcp-euw1-a'], 'provider:alchemy'],
    ]);
    expect(levelsSkipped(FULL_LOW_TRAFFIC_TIMING, 'viem')).toEqual([400]);
    expect(levelsSkipped(FULL_LOW_TRAFFIC_TIMING, 'switchyard')).toEqual([]);
    // 3 faults × (2 groups for each proxy + 1 for each client library)
    expect(
      lowTrafficSteps(
        FULL_LOW_TRAFFIC_TIMING,
        ['switchyard', 'nginx', 'haproxy', 'viem', 'ethers'],
        LOW_TRAFFIC_FAULTS,
      ),
    ).toBe(24);
  });

  it('renders a fault’s table with the issue 20 verdicts on Switchyard rows', () => {
    const rows = [
      analyzeLowTraffic(record({ level: 0 })),
      analyzeLowTraffic(record({ target: 'ethers', level: 5, reads: steadyReads() })),
    ];
    const section: LowTrafficSection = {
      timing: FULL_LOW_TRAFFIC_TIMING,
      levels: [0, 5],
      targets: ['switchyard', 'ethers'],
      faults: [
        {
          name: 'hang',
          chain: 'ethereum',
          what: 'hang',
          domain: DOMAIN,
          hit: AWS,
          targets: ['switchyard', 'ethers'],
        },
      ],
      rows,
      skipped: [{ target: 'ethers', fault: 'hang', chain: 'ethereum', level: 400, reason: 'not run' }],
      probes: [],
      clientSettings: CLIENT_SETTINGS,
      notes: [],
    };
    const table = lowTrafficTable(section, { name: 'hang', chain: 'ethereum' }).split('\n');
    expect(table[2]).toContain('| 0 | Switchyard | never | no reads |');
    expect(table[2]).toContain('detect **MISSED**');
    expect(table[3]).toContain('| 5 | ethers Fallback | — (no signal) | 0 / 45 | 8.00 (3.00) |');
    expect(table[4]).toContain('not run');
  });
});

describe('low traffic: the other families', () => {
  const familyRow = (chain: 'solana' | 'bitcoin' | 'cometbft', level: number, detectAfterMs: number | null) =>
    analyzeLowTraffic(
      record({
        chain,
        level,
        reads: level === 0 ? [] : steadyReads(),
        events:
          detectAfterMs === null ? [] : [{ atMs: FAULT + detectAfterMs, kind: 'domain_open', key: DOMAIN }],
        statusPolls: [poll(7100, 'closed', true)],
      }),
    );

  it('plans the hang on solana, bitcoin and cometbft at 0, 5 and 50 reads/s against Switchyard only', () => {
    const all = lowTrafficFaults(true);
    expect(all.slice(0, LOW_TRAFFIC_FAULTS.length)).toEqual(LOW_TRAFFIC_FAULTS);
    expect(all.slice(LOW_TRAFFIC_FAULTS.length).map((f) => [faultLabel(f.name, f.chain), f.domain])).toEqual([
      ['solana hang', DOMAIN],
      ['bitcoin hang', DOMAIN],
      ['cometbft hang', DOMAIN],
    ]);
    expect(lowTrafficFaults(false)).toEqual(LOW_TRAFFIC_FAULTS);
    const solana = LOW_TRAFFIC_FAMILY_FAULTS[0]!;
    expect(hitNamesOf(solana)).toEqual(AWS);
    expect(solana.fault).toEqual({ kind: 'hang' });
    for (const t of [FULL_LOW_TRAFFIC_TIMING, QUICK_LOW_TRAFFIC_TIMING]) {
      expect(levelGroupsOf(t, solana, 'switchyard')).toEqual([[0, 5, 50]]);
      for (const peer of ['nginx', 'haproxy', 'viem', 'ethers'] as const)
        expect(levelGroupsOf(t, solana, peer)).toEqual([]);
      // One more timeline per family, only where Switchyard runs; and time for it in the estimate.
      expect(lowTrafficSteps(t, LOW_TRAFFIC_TARGETS, all)).toBe(
        lowTrafficSteps(t, LOW_TRAFFIC_TARGETS, LOW_TRAFFIC_FAULTS) + 3,
      );
      expect(lowTrafficSteps(t, ['nginx'], all)).toBe(lowTrafficSteps(t, ['nginx'], LOW_TRAFFIC_FAULTS));
      const extra =
        lowTrafficWeightMs(t, ['switchyard'], all) -
        lowTrafficWeightMs(t, ['switchyard'], LOW_TRAFFIC_FAULTS);
      expect(extra).toBe(lowTrafficWeightMs(t, ['switchyard'], LOW_TRAFFIC_FAMILY_FAULTS));
      expect(extra).toBeGreaterThan(3 * (t.warmupMs + t.baselineMs + t.faultMs + t.afterMs));
    }
  });

  it('reads each family’s cycle and names its methods from the recording', () => {
    for (const family of ['solana', 'bitcoin', 'cometbft'] as const) {
      const kit = chainKit(family);
      const mix = kit.mix(1);
      const rec = new Recording(8);
      for (const expected of FAMILY_READS[family]) {
        const r = mix.next();
        expect(JSON.parse(r.body)).toMatchObject({ method: expected.method, params: expected.params });
        rec.add(T0, r.method);
      }
      expect(kit.methods).toEqual(familyReadMethods(family));
      expect(readsOfRecording(rec, kit.methods).map((x) => x.method)).toEqual(
        FAMILY_READS[family].map((x) => x.method),
      );
    }
    expect(chainKit('ethereum').methods).toContain('eth_getBalance');
  });

  it('keeps the family rows apart: their own table, their own check lines', () => {
    const evm = analyzeLowTraffic(
      record({ level: 0, events: [{ atMs: FAULT + 30, kind: 'domain_open', key: DOMAIN }] }),
    );
    const rows = [
      evm,
      familyRow('solana', 0, 400),
      familyRow('solana', 5, 120),
      familyRow('bitcoin', 0, 1500),
      familyRow('cometbft', 0, null),
    ];
    expect(rows[1]?.chain).toBe('solana');

    const checks = levelChecks(rows);
    const evmDetect = checks.find((c) => c.scope === 'evm' && c.kind === 'detect');
    expect(evmDetect).toMatchObject({ level: 0, met: true, figure: 'hang: 30 ms (log)' });
    const famDetect = checks.find((c) => c.scope === 'families' && c.level === 0 && c.kind === 'detect');
    expect(famDetect).toMatchObject({ met: false, target: 'domain opens within 1 s' });
    expect(famDetect?.figure).toBe(
      'solana hang: 400 ms (log); bitcoin hang: 1500 ms (log); cometbft hang: never',
    );
    expect(checks.find((c) => c.scope === 'families' && c.level === 5 && c.kind === 'detect')?.met).toBe(
      true,
    );

    const section = {
      rows,
      targets: ['switchyard'],
      timing: QUICK_LOW_TRAFFIC_TIMING,
      skipped: [],
    } as unknown as LowTrafficSection;
    const lines = lowTrafficChecks(section).map((c) => c.target);
    expect(lines).toContain('low traffic, 0 reads/s: domain opens within 1 s');
    expect(lines).toContain('low traffic (solana, bitcoin, cometbft), 0 reads/s: domain opens within 1 s');
    expect(lines).toContain(
      'low traffic (solana, bitcoin, cometbft), 5 reads/s: p99 during the fault ≤ baseline p99 + 25 ms',
    );

    const table = lowTrafficTable(section, { name: 'hang', chain: 'solana' }).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toContain('| 0 | Switchyard | 400 (log) | no reads |');
    expect(table[3]).toContain('| 5 | Switchyard | 120 (log) | 0 / 45 | 8.00 (3.00) |');
    expect(table[3]).toContain('detect met, failed met, p99 met');
    expect(lowTrafficTable(section, { name: 'hang', chain: 'ethereum' }).split('\n')).toHaveLength(3);
  });

  it('sums probe traffic per target and chain', () => {
    const calls = [
      { upstream: 'aws-use1-a', method: 'getSlot', atMs: T0 + 100 },
      { upstream: 'aws-use1-a', method: 'getSlot', atMs: T0 + 1100 },
    ];
    const rows = [
      analyzeLowTraffic(
        record({ level: 0, calls: [{ upstream: 'aws-use1-a', method: 'eth_chainId', atMs: T0 + 5 }] }),
      ),
      analyzeLowTraffic(record({ level: 0, chain: 'solana', calls })),
    ];
    const sums = probeSummary(rows);
    expect(sums.map((p) => [p.target, p.chain, p.traffic.upstreams['aws-use1-a']?.methods])).toEqual([
      ['switchyard', 'ethereum', { eth_chainId: 1 }],
      ['switchyard', 'solana', { getSlot: 2 }],
    ]);
  });
});
