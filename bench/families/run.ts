// The families scenario group: for each non-EVM family (solana, bitcoin, cometbft) a family fleet
// (aws/us-east-1 ×2 at 2 ms, gcp/europe-west1 ×2 at 6 ms, one decentralized node at 12 ms), then per
// target (Switchyard from fleet.upstreamsYaml, nginx with the failover config over all upstreams) a
// fresh proxy pinned to core 0, closed-loop reads of the family, and aws/us-east-1 hung mid-run for a
// few seconds, then healed. One fleet per family, shared by its targets (healed between them).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeFamilyName, FamilyFleet } from '../../src/simulation/family-fleet.js';
import { standardFleet } from '../../src/simulation/fleet.js';
import { startLoad } from '../load/driver.js';
import { epochMs, sleep } from '../load/stats.js';
import { startNginx } from '../targets/nginx.js';
import type { RunningTarget } from '../targets/target.js';
import { type FamilyFigures, familyFigures } from './analyze.js';
import { BENCH_FAMILIES, familyStartOptions, startBenchFamilyFleet, startFamilySwitchyard } from './chain.js';
import { FAMILY_READS, familyReadMix } from './reads.js';

export type FamilyTarget = 'switchyard' | 'nginx';
export const FAMILY_TARGETS: FamilyTarget[] = ['switchyard', 'nginx'];
const HIT = { cloud: 'aws', region: 'us-east-1' } as const;

export interface FamiliesTiming {
  warmupMs: number;
  baselineMs: number;
  faultMs: number;
  afterMs: number;
  clients: number;
  thinkMs: number;
  timeoutMs: number;
}

/** About 13 s of load per family and target. */
export const FULL_FAMILIES_TIMING: FamiliesTiming = {
  warmupMs: 1000,
  baselineMs: 3000,
  faultMs: 5000,
  afterMs: 4000,
  clients: 16,
  thinkMs: 15,
  timeoutMs: 5000,
};
export const QUICK_FAMILIES_TIMING: FamiliesTiming = {
  warmupMs: 500,
  baselineMs: 1000,
  faultMs: 2000,
  afterMs: 1500,
  clients: 16,
  thinkMs: 15,
  timeoutMs: 5000,
};

export function familiesRunMs(t: FamiliesTiming): number {
  return t.warmupMs + t.baselineMs + t.faultMs + t.afterMs;
}

export interface FamilyResult {
  family: FakeFamilyName;
  target: FamilyTarget;
  figures: FamilyFigures;
}

export interface FamiliesSection {
  timing: FamiliesTiming;
  fault: string;
  reads: Record<FakeFamilyName, string[]>;
  results: FamilyResult[];
  skipped: { family: FakeFamilyName; target: FamilyTarget; reason: string }[];
  /** Generated configs of the first family, for the report's appendix. */
  configs: Record<string, string>;
}

async function startTargetFor(
  target: FamilyTarget,
  fleet: FamilyFleet,
  dir: string,
): Promise<{ running: RunningTarget; endpoint: string }> {
  if (target === 'nginx') {
    const running = await startNginx(familyStartOptions(fleet, dir, 0));
    return { running, endpoint: running.url };
  }
  return startFamilySwitchyard(fleet, dir, 0);
}

async function runOne(
  family: FakeFamilyName,
  target: FamilyTarget,
  fleet: FamilyFleet,
  timing: FamiliesTiming,
  dir: string,
  onProgress: (fraction: number) => void,
): Promise<FamilyResult> {
  mkdirSync(dir, { recursive: true });
  await fleet.setFault(HIT, { kind: 'none' });
  const { running, endpoint } = await startTargetFor(target, fleet, dir);
  try {
    const totalMs = familiesRunMs(timing);
    const startedAt = epochMs();
    const measureFromMs = startedAt + timing.warmupMs;
    const faultStartMs = measureFromMs + timing.baselineMs;
    const faultEndMs = faultStartMs + timing.faultMs;
    const load = startLoad({
      url: endpoint,
      mix: familyReadMix(family),
      clients: timing.clients,
      thinkMs: timing.thinkMs,
      durationMs: totalMs,
      // A closed loop of these clients stays far below 4000 req/s.
      maxRequests: Math.ceil((totalMs / 1000) * 4000),
      timeoutMs: timing.timeoutMs,
      upstreamOf: running.upstreamOf,
    });
    const ticker = setInterval(() => onProgress(Math.min(1, (epochMs() - startedAt) / totalMs)), 250);
    try {
      await sleep(faultStartMs - epochMs());
      await fleet.setFault(HIT, { kind: 'hang' });
      await sleep(faultEndMs - epochMs());
      await fleet.setFault(HIT, { kind: 'none' });
      const rec = await load.done;
      const hit = new Set(fleet.byDomain(HIT).map((p) => p.name));
      return {
        family,
        target,
        figures: familyFigures(rec, { measureFromMs, faultStartMs, faultEndMs }, hit),
      };
    } finally {
      clearInterval(ticker);
      load.stop();
      await load.done.catch(() => undefined);
    }
  } finally {
    await running.stop();
  }
}

export async function runFamiliesScenario(
  timing: FamiliesTiming,
  targets: FamilyTarget[],
  work: string,
  nginxInstalled: boolean,
  onStep: (label: string) => void,
  onProgress: (fraction: number) => void,
): Promise<FamiliesSection> {
  const section: FamiliesSection = {
    timing,
    fault: `both aws/us-east-1 nodes hang (accept, never answer) for ${timing.faultMs / 1000} s, then heal`,
    reads: Object.fromEntries(BENCH_FAMILIES.map((f) => [f, FAMILY_READS[f].map((r) => r.method)])) as Record<
      FakeFamilyName,
      string[]
    >,
    results: [],
    skipped: [],
    configs: {},
  };
  for (const family of BENCH_FAMILIES) {
    const fleet = await startBenchFamilyFleet(family, standardFleet());
    try {
      for (const target of targets) {
        onStep(`families · ${family} · ${target}`);
        if (target === 'nginx' && !nginxInstalled) {
          section.skipped.push({
            family,
            target,
            reason: 'nginx is not installed (apt-get install -y nginx)',
          });
          continue;
        }
        const dir = join(work, `families-${family}-${target}`);
        try {
          section.results.push(await runOne(family, target, fleet, timing, dir, onProgress));
          const file = target === 'nginx' ? join(dir, 'nginx', 'nginx.conf') : join(dir, 'switchyard.yaml');
          const key = target === 'nginx' ? 'nginx.conf (families)' : `switchyard.yaml (${family})`;
          if (!(key in section.configs) && existsSync(file))
            section.configs[key] = readFileSync(file, 'utf8');
        } catch (err) {
          section.skipped.push({
            family,
            target,
            reason: `run failed: ${(err as Error).message.split('\n')[0]}`,
          });
        }
      }
    } finally {
      await fleet.close();
    }
  }
  return section;
}
