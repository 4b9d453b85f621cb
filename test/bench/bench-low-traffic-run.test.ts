// The low-traffic runner end to end on another family's chain: a cometbft fleet, the built balancer
// as a child process (needs `tsc` output in dist/), 0 and 5 reads/s side by side, the hang and the
// heal on a short timeline; the rows come out analysed. Detection times are the bench's figures, not
// asserted here: what is checked is that the family's fleet, reads, probes and /status reached the row.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { familyReadMethods } from '../../bench/families/reads.js';
import {
  LOW_TRAFFIC_FAMILY_FAULTS,
  LOW_TRAFFIC_FAULTS,
  type LowTrafficTiming,
  QUICK_LOW_TRAFFIC_TIMING,
} from '../../bench/low-traffic/plan.js';
import { runLowTraffic } from '../../bench/low-traffic/run.js';

const work = mkdtempSync(join(tmpdir(), 'switchyard-low-traffic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TIMING: LowTrafficTiming = {
  ...QUICK_LOW_TRAFFIC_TIMING,
  settleMs: 300,
  probeWindowMs: 1500,
  warmupMs: 300,
  baselineMs: 1000,
  faultMs: 1500,
  afterMs: 1000,
  statusPollMs: 50,
  // The EVM faults are not run: only their plan entry would take these.
  levelGroups: { ...QUICK_LOW_TRAFFIC_TIMING.levelGroups, switchyard: [[0]] },
  familyLevelGroups: [[0, 5]],
};

describe('low traffic on a cometbft chain through the real balancer', () => {
  it('runs the hang at 0 and 5 reads/s with the family’s reads and analyses both rows', async () => {
    const cometbft = LOW_TRAFFIC_FAMILY_FAULTS.find((f) => f.chain === 'cometbft')!;
    const steps: string[] = [];
    const section = await runLowTraffic(
      TIMING,
      ['switchyard', 'nginx'],
      [cometbft],
      work,
      () => true,
      (label) => steps.push(label),
      () => {},
    );
    expect(section.skipped).toEqual([]);
    // nginx does not apply to a cometbft chain: one timeline, Switchyard's.
    expect(steps).toEqual(['low-traffic · cometbft hang · Switchyard · 0, 5 reads/s']);
    expect(section.faults).toEqual([
      expect.objectContaining({ name: 'hang', chain: 'cometbft', targets: ['switchyard'] }),
    ]);
    expect(section.rows.map((r) => [r.target, r.chain, r.fault, r.level])).toEqual([
      ['switchyard', 'cometbft', 'hang', 0],
      ['switchyard', 'cometbft', 'hang', 5],
    ]);
    const [idle, busy] = section.rows;

    // With no reads, what the upstreams got is Switchyard's cometbft probing, no EVM method.
    const probeMethods = Object.values(idle!.figures.probes!.upstreams).flatMap((u) =>
      Object.keys(u.methods),
    );
    expect(probeMethods.length).toBeGreaterThan(0);
    expect(probeMethods.some((m) => m.startsWith('eth_'))).toBe(false);
    expect(section.probes.map((p) => [p.target, p.chain])).toEqual([['switchyard', 'cometbft']]);

    // /status was read for the region on the cometbft chain.
    expect(idle!.timeline.some((e) => e.what.startsWith('/status region:aws/us-east-1 '))).toBe(true);

    // At 5 reads/s the cometbft cycle went through POST /cometbft and was answered.
    expect(busy!.figures.reads).toBeGreaterThan(0);
    expect(busy!.figures.probes).toBeNull();
    const csv = readFileSync(join(work, 'low-traffic-cometbft-hang-switchyard-5', 'reads.csv'), 'utf8');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const methods = new Set(rows.map((r) => r[5]));
    expect([...methods].sort()).toEqual(familyReadMethods('cometbft').sort());
    expect(rows.some((r) => r[3] === '1' && r[2] !== '')).toBe(true);
    // The EVM faults stay in their own list.
    expect(LOW_TRAFFIC_FAULTS.every((f) => f.chain === 'ethereum')).toBe(true);
  }, 90_000);
});
