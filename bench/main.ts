#!/usr/bin/env node
// `npm run bench`: outage scenarios against Switchyard, nginx and HAProxy, then overhead and
// throughput side by side; writes report.md, report.json and one SVG per scenario.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL_AUTO_TUNE_TIMING, measureAutoTune, QUICK_AUTO_TUNE_TIMING } from './auto-tune/measure.js';
import { autoTuneHeadline, autoTuneMarkdown } from './auto-tune/report.js';
import {
  FAMILY_TARGETS,
  type FamiliesSection,
  type FamilyTarget,
  FULL_FAMILIES_TIMING,
  familiesRunMs,
  QUICK_FAMILIES_TIMING,
  runFamiliesScenario,
} from './families/run.js';
import { type FleetBenchReport, fleetMarkdown } from './fleet-mode/report.js';
import { runFleetBench } from './fleet-mode/run.js';
import type { LowTrafficRow } from './low-traffic/analyze.js';
import {
  FULL_LOW_TRAFFIC_TIMING,
  faultLabel,
  LOW_TRAFFIC_LABELS,
  LOW_TRAFFIC_TARGETS,
  type LowTrafficTarget,
  lowTrafficFaults,
  lowTrafficSteps,
  lowTrafficWeightMs,
  QUICK_LOW_TRAFFIC_TIMING,
} from './low-traffic/plan.js';
import { type LowTrafficSection, runLowTraffic } from './low-traffic/run.js';
import {
  CROWD_TARGETS,
  FULL_OVERHEAD,
  OVERHEAD_TARGETS,
  QUICK_OVERHEAD,
  runOverhead,
} from './overhead/run.js';
import { killAllChildren } from './proc/child.js';
import {
  cpuSnapshot,
  foreignCpuSec,
  hasTool,
  machineInfo,
  nginxVersion,
  pinProcess,
  toolVersion,
} from './proc/sys.js';
import { cometSubscriptionTable } from './report/comet-subscriptions-markdown.js';
import { familiesTable } from './report/families-markdown.js';
import { lowTrafficChecks, lowTrafficTable } from './report/low-traffic-markdown.js';
import { headlineTable, overheadTable, renderMarkdown } from './report/markdown.js';
import { type BenchReport, checks, findings, type ScenarioSection } from './report/model.js';
import { clock, Progress } from './report/progress.js';
import { solanaTable } from './report/solana-subscriptions-markdown.js';
import { subscriptionChecks, subscriptionTable } from './report/subscriptions-markdown.js';
import { scenarioSvg } from './report/svg.js';
import { analyze, type ScenarioResult } from './scenarios/analyze.js';
import { SCENARIOS, type Scenario } from './scenarios/catalog.js';
import { FULL_TIMING, QUICK_TIMING, runScenario, type Timing } from './scenarios/run.js';
import { type CometSubscriptionSection, runCometSubscriptionScenario } from './subscriptions/comet-run.js';
import {
  FULL_SUBSCRIPTION_TIMING,
  QUICK_SUBSCRIPTION_TIMING,
  runSubscriptionScenario,
  type SubscriptionSection,
  type SubscriptionTarget,
  subscriptionRunMs,
} from './subscriptions/run.js';
import { runSolanaSubscriptions, SOLANA_TIMING, solanaRunMs } from './subscriptions/solana-run.js';
import { requiredTool, TARGET_LABELS } from './targets/index.js';
import { repoRoot, switchyardMain } from './targets/switchyard.js';
import { runVerifiedReads, verifiedTable } from './verified/run.js';

type ScenarioTarget = 'switchyard' | 'nginx' | 'haproxy';
const SCENARIO_TARGETS: ScenarioTarget[] = ['switchyard', 'nginx', 'haproxy'];
/** The subscription scenario's name in --scenario (it has its own runner, not the outage catalog's). */
const SUBSCRIPTIONS = 'subscriptions';
/** The families scenario group's name in --scenario (solana, bitcoin, cometbft; its own runner). */
const FAMILIES = 'families';
/** The low-traffic group's name in --scenario (issue 20: detection at 0, 5, 50, 400 reads/s; its own runner). */
const LOW_TRAFFIC = 'low-traffic';
/** The auto-tune scenario's name in --scenario (issue 24: a provider throttling above 50/s; its own runner). */
const AUTO_TUNE = 'auto-tune';
/** The lying-provider scenario's name in --scenario (issue 22: verified reads; its own runner). */
const VERIFIED_READS = 'verified-reads';
/** Targets only the low-traffic group knows: client-side failover in the app's own process. */
const CLIENT_ONLY_TARGETS = ['viem', 'ethers'];

function help(): string {
  const names = SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.title}`).join('\n');
  return `npm run bench -- [options]      (build first: npm run build)

Runs the outage scenarios against Switchyard, nginx and HAProxy (each as a real process pinned to
core 0, the fleet and the load on core 1), then overhead and throughput against one fake upstream
(direct, nginx, HAProxy, bare Node forwarder, naive http-proxy, Switchyard). Writes report.md, report.json and one SVG
per scenario. nginx, haproxy and wrk come from apt-get; a missing one is reported, not fatal.

Options:
  --scenario NAME[,NAME]   only these scenarios (default: all, subscriptions, families and low-traffic
                           included); "none" skips them
  --targets LIST           scenario targets, default switchyard,nginx,haproxy (the low-traffic group also
                           knows viem and ethers and runs all five by default)
  --quick                  short phases (about 7.5 minutes in all, 4.5 of them the low-traffic group)
  --no-overhead            skip overhead and throughput
  --no-subscriptions       skip the subscription scenario (WebSocket feed outage and reorg;
                           Switchyard and nginx pinned to one upstream; about 30 s, --quick 10 s)
  --no-families            skip the families group (solana, bitcoin, cometbft: aws/us-east-1 hangs;
                           Switchyard and nginx; about 90 s, --quick 40 s)
  --no-low-traffic         skip the low-traffic group (issue 20: hang, refuse and 503 at 0, 5, 50 and
                           400 reads/s against Switchyard, nginx, HAProxy, viem fallback and ethers
                           FallbackProvider, and the hang on solana, bitcoin and cometbft chains at
                           0, 5 and 50 reads/s against Switchyard; about 6.5 minutes, --quick about 4.5)
  --no-low-traffic-families
                           keep the low-traffic group to the EVM chain: skip its solana, bitcoin and
                           cometbft rows (about 50 s, --quick 40 s)
  --no-auto-tune           skip the auto-tune scenario (issue 24: a provider throttling above 50/s,
                           150 reads/s, Switchyard only; 60 s, --quick 20 s)
  --no-verified-reads      skip the lying-provider scenario (issue 22: one provider lies on 30 % of its
                           balance answers; Switchyard quorum/proofs/off, nginx, HAProxy; about 20 s)
  --fleet                  also fleet mode: saturation with server.workers 2 vs nginx with 2 workers
                           (both cores), and fleet detection time over redis-server (~2 minutes)
  --out DIR                output folder (default bench/out/<timestamp>)
  --keep-work              keep per-run configs, logs and requests.csv (every request) under OUT/work
  --wait-quiet SECONDS     first wait (up to SECONDS) until other processes use < 15% of a core
  --help                   this text

Scenarios:
${names}
  ${SUBSCRIPTIONS.padEnd(18)} newHeads and logs subscribers through a feed outage and a 2-block reorg
  ${FAMILIES.padEnd(18)} solana, bitcoin and cometbft reads while aws/us-east-1 hangs (one fleet per family)
  ${LOW_TRAFFIC.padEnd(18)} detection of a hung, refusing or 503 region/provider at 0, 5, 50 and 400 reads/s,
  ${''.padEnd(18)} and of a hung region on solana, bitcoin and cometbft chains at 0, 5 and 50 reads/s

Also: switchyard bench providers --config FILE [--requests N] [--seconds S]  (rank your upstreams)`;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

function gitDescribe(root: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    // The output folder of this very run (under bench/results or bench/out) is no change to the code.
    const paths = ['src', 'routes', 'health', 'bench', ':(exclude)bench/results', ':(exclude)bench/out'];
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3).split('/')[0]);
    const dirs = [...new Set(dirty)].map((d) => `${d}/`);
    return dirs.length ? `git ${head} with uncommitted changes in ${dirs.join(', ')}` : `git ${head}`;
  } catch {
    return null;
  }
}

function scenarioWeight(s: Scenario, t: Timing): number {
  return t.warmupMs + t.baselineMs + s.faultMs * t.faultScale + t.afterMs + 800;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      scenario: { type: 'string' },
      targets: { type: 'string' },
      'no-overhead': { type: 'boolean' },
      'no-subscriptions': { type: 'boolean' },
      'no-families': { type: 'boolean' },
      'no-low-traffic': { type: 'boolean' },
      'no-low-traffic-families': { type: 'boolean' },
      'no-auto-tune': { type: 'boolean' },
      'no-verified-reads': { type: 'boolean' },
      fleet: { type: 'boolean' },
      out: { type: 'string' },
      'keep-work': { type: 'boolean' },
      'wait-quiet': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(help());
    return 0;
  }
  const root = repoRoot();
  if (!existsSync(switchyardMain())) {
    console.error(`bench: ${switchyardMain()} is missing; build first: npm run build`);
    return 1;
  }
  const quick = values.quick === true;
  let scenarios = SCENARIOS;
  let withSubscriptions = values['no-subscriptions'] !== true;
  let withFamilies = values['no-families'] !== true;
  let withLowTraffic = values['no-low-traffic'] !== true;
  let withAutoTune = values['no-auto-tune'] !== true;
  let withVerified = values['no-verified-reads'] !== true;
  if (values.scenario) {
    const all = values.scenario.split(',').filter(Boolean);
    withSubscriptions &&= all.includes(SUBSCRIPTIONS);
    withFamilies &&= all.includes(FAMILIES);
    withLowTraffic &&= all.includes(LOW_TRAFFIC);
    withAutoTune &&= all.includes(AUTO_TUNE);
    withVerified &&= all.includes(VERIFIED_READS);
    const wanted = all.filter(
      (w) =>
        w !== SUBSCRIPTIONS && w !== FAMILIES && w !== LOW_TRAFFIC && w !== AUTO_TUNE && w !== VERIFIED_READS,
    );
    if ((wanted.length === 1 && wanted[0] === 'none') || (wanted.length === 0 && all.length > 0))
      scenarios = [];
    else {
      const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
      if (unknown.length) {
        console.error(`bench: unknown scenario ${unknown.join(', ')} (see --help)`);
        return 1;
      }
      scenarios = SCENARIOS.filter((s) => wanted.includes(s.name));
    }
  }
  const askedTargets = values.targets?.split(',').filter(Boolean);
  const badTarget = askedTargets?.find(
    (t) => !SCENARIO_TARGETS.includes(t as ScenarioTarget) && !CLIENT_ONLY_TARGETS.includes(t),
  );
  if (badTarget) {
    console.error(`bench: unknown target ${badTarget} (switchyard, nginx, haproxy, viem, ethers)`);
    return 1;
  }
  const targets = (askedTargets ?? SCENARIO_TARGETS).filter((t): t is ScenarioTarget =>
    SCENARIO_TARGETS.includes(t as ScenarioTarget),
  );
  const lowTrafficTargets = LOW_TRAFFIC_TARGETS.filter((t) => !askedTargets || askedTargets.includes(t));
  withLowTraffic &&= lowTrafficTargets.length > 0;
  withAutoTune &&= !askedTargets || askedTargets.includes('switchyard');
  const withOverhead = values['no-overhead'] !== true;
  const started = new Date();
  const out = resolve(values.out ?? join(root, 'bench', 'out', timestamp(started)));
  const work = join(out, 'work');
  mkdirSync(work, { recursive: true });

  // The bench itself (driver, fleet) lives on core 1; proxies are pinned to core 0.
  const machine = machineInfo();
  const pinned = machine.cores >= 2 && hasTool('taskset') && pinProcess(process.pid, 1);
  const pinning = pinned
    ? 'Pinning: each proxy on core 0 (taskset -c 0); load driver, fake fleet, overhead upstream and wrk on core 1.'
    : 'Pinning: NOT pinned (taskset missing or fewer than 2 cores): figures are noisier.';
  const tools: Record<string, string | null> = {
    nginx: nginxVersion() ?? null,
    haproxy: toolVersion('haproxy', ['-v'])?.replace(/ - https.*$/, '') ?? null,
    wrk: hasTool('wrk') ? (toolVersion('wrk', ['-v'])?.split(' [')[0] ?? 'present') : null,
    taskset: hasTool('taskset') ? 'present' : null,
  };
  if (values['wait-quiet']) {
    const waited = await waitQuiet(Number(values['wait-quiet']) * 1000);
    console.log(`machine quiet check: ${waited}`);
  }
  const timing = quick ? QUICK_TIMING : FULL_TIMING;
  const overheadTiming = quick ? QUICK_OVERHEAD : FULL_OVERHEAD;

  const runs: { s: Scenario; t: ScenarioTarget }[] = [];
  for (const s of scenarios) for (const t of targets) runs.push({ s, t });
  // Rounds of every target, then one allocation run per Node target (bare forwarder, Switchyard).
  const overheadSteps = withOverhead ? OVERHEAD_TARGETS.length * overheadTiming.rounds + 2 : 0;
  const overheadWeight =
    overheadSteps *
    (overheadTiming.warmupMs +
      overheadTiming.c1Ms +
      overheadTiming.rateMs +
      overheadTiming.saturationMs +
      (overheadTiming.crowdMs * CROWD_TARGETS.length) / OVERHEAD_TARGETS.length +
      700);
  const subscriptionTiming = quick ? QUICK_SUBSCRIPTION_TIMING : FULL_SUBSCRIPTION_TIMING;
  const subscriptionTargets = targets.filter(
    (t): t is SubscriptionTarget => t === 'switchyard' || t === 'nginx',
  );
  withSubscriptions &&= subscriptionTargets.length > 0;
  const familiesTiming = quick ? QUICK_FAMILIES_TIMING : FULL_FAMILIES_TIMING;
  const familyTargets = targets.filter((t): t is FamilyTarget => FAMILY_TARGETS.includes(t as FamilyTarget));
  withFamilies &&= familyTargets.length > 0;
  // Three families × targets, each with the start-up of its proxy (and per family of its fleet).
  const familiesWeight = withFamilies ? 3 * familyTargets.length * (familiesRunMs(familiesTiming) + 1500) : 0;
  // Start-up of the fleet, Switchyard and nginx comes on top of the timeline.
  const subscriptionWeight = withSubscriptions
    ? subscriptionRunMs(subscriptionTiming) + solanaRunMs(SOLANA_TIMING) + 6000
    : 0;
  const lowTrafficTiming = quick ? QUICK_LOW_TRAFFIC_TIMING : FULL_LOW_TRAFFIC_TIMING;
  const lowTrafficFaultList = lowTrafficFaults(values['no-low-traffic-families'] !== true);
  const lowTrafficWeight = withLowTraffic
    ? lowTrafficWeightMs(lowTrafficTiming, lowTrafficTargets, lowTrafficFaultList)
    : 0;
  const totalWeight =
    runs.reduce((n, r) => n + scenarioWeight(r.s, timing), 0) +
    subscriptionWeight +
    familiesWeight +
    lowTrafficWeight +
    (withAutoTune ? (quick ? QUICK_AUTO_TUNE_TIMING : FULL_AUTO_TUNE_TIMING).seconds * 1000 + 2000 : 0) +
    overheadWeight;
  const progress = new Progress(
    totalWeight,
    runs.length +
      (withSubscriptions ? 1 : 0) +
      (withFamilies ? 1 : 0) +
      (withLowTraffic ? 1 : 0) +
      overheadSteps,
  );
  progress.log(
    `switchyard bench: ${scenarios.length} scenario(s) × ${targets.length} target(s)${withSubscriptions ? ' + subscriptions' : ''}${withFamilies ? ' + families' : ''}${withLowTraffic ? ' + low-traffic' : ''}${withOverhead ? ' + overhead' : ''}, ~${clock(totalWeight / 1000)} → ${out}`,
  );
  for (const [tool, v] of Object.entries(tools))
    if (v === null) progress.log(`  ${tool} is not installed: its part of the report says so`);

  const sections: ScenarioSection[] = [];
  const cpuBeforeScenarios = cpuSnapshot();
  for (const s of scenarios) {
    const section: ScenarioSection = {
      name: s.name,
      title: s.title,
      what: s.what,
      chart: null,
      results: [],
      skipped: [],
    };
    sections.push(section);
    for (const t of targets) {
      const weight = scenarioWeight(s, timing);
      progress.begin(`${s.name} · ${TARGET_LABELS[t]}`, weight);
      const tool = requiredTool(t);
      if (tool && !hasTool(tool)) {
        section.skipped.push({ target: t, reason: `${tool} is not installed (apt-get install -y ${tool})` });
        progress.end();
        continue;
      }
      try {
        const run = await runScenario(s, t, timing, work, { onProgress: (f) => progress.update(f) });
        const result = analyze(run);
        section.results.push(result);
        progress.log(summaryLine(result));
      } catch (err) {
        section.skipped.push({ target: t, reason: `run failed: ${(err as Error).message.split('\n')[0]}` });
        progress.log(`  ${s.name} · ${t}: FAILED ${(err as Error).message.split('\n')[0]}`);
      }
      progress.end();
    }
    if (section.results.length > 0) {
      const file = `${s.name}.svg`;
      writeFileSync(join(out, file), scenarioSvg(section.results));
      section.chart = file;
    }
  }

  let subscriptions: SubscriptionSection | null = null;
  if (withSubscriptions) {
    progress.begin(`${SUBSCRIPTIONS} · ${subscriptionTargets.join(', ')}`, subscriptionWeight);
    try {
      subscriptions = await runSubscriptionScenario(
        subscriptionTiming,
        subscriptionTargets,
        work,
        hasTool('nginx'),
        (f) => progress.update(f),
      );
      for (const r of subscriptions.results) progress.log(subscriptionLine(r));
      for (const k of subscriptions.skipped)
        progress.log(`  ${SUBSCRIPTIONS} · ${k.target}: not run — ${k.reason}`);
      subscriptions.solana = await runSolanaSubscriptions(
        SOLANA_TIMING,
        subscriptionTargets,
        work,
        hasTool('nginx'),
      );
    } catch (err) {
      progress.log(`  ${SUBSCRIPTIONS}: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
    progress.end();
  }
  let cometSubscriptions: CometSubscriptionSection | null = null;
  if (withSubscriptions) {
    progress.begin(`${SUBSCRIPTIONS} · cometbft · ${subscriptionTargets.join(', ')}`, subscriptionWeight);
    try {
      cometSubscriptions = await runCometSubscriptionScenario(
        subscriptionTiming,
        subscriptionTargets,
        work,
        hasTool('nginx'),
      );
      for (const r of cometSubscriptions.results)
        progress.log(
          `  ${SUBSCRIPTIONS} · cometbft · ${r.target}: missed ${r.figures.missed}, duplicated ${r.figures.duplicated}`,
        );
    } catch (err) {
      progress.log(`  ${SUBSCRIPTIONS} · cometbft: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
    progress.end();
  }

  let families: FamiliesSection | null = null;
  if (withFamilies) {
    progress.begin(`${FAMILIES} · ${familyTargets.join(', ')}`, familiesWeight);
    const steps = 3 * familyTargets.length;
    let step = -1;
    try {
      families = await runFamiliesScenario(
        familiesTiming,
        familyTargets,
        work,
        hasTool('nginx'),
        () => {
          step++;
        },
        (f) => progress.update(Math.min(1, (step + f) / steps)),
      );
      for (const r of families.results) progress.log(familyLine(r));
      for (const k of families.skipped)
        progress.log(`  ${FAMILIES} · ${k.family} · ${k.target}: not run — ${k.reason}`);
    } catch (err) {
      progress.log(`  ${FAMILIES}: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
    progress.end();
  }

  // The lying-provider scenario (issue 22): its own table, verified-reads.md and .json in the run folder.
  if (withVerified) {
    try {
      const reads = quick ? 200 : 600;
      console.log(`\n${verifiedTable(await runVerifiedReads(out, reads), reads, 4)}`);
    } catch (err) {
      console.error(`  ${VERIFIED_READS}: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
  }

  let lowTraffic: LowTrafficSection | null = null;
  if (withLowTraffic) {
    progress.begin(`${LOW_TRAFFIC} · ${lowTrafficTargets.join(', ')}`, lowTrafficWeight);
    const steps = lowTrafficSteps(lowTrafficTiming, lowTrafficTargets, lowTrafficFaultList);
    let step = -1;
    try {
      lowTraffic = await runLowTraffic(
        lowTrafficTiming,
        lowTrafficTargets,
        lowTrafficFaultList,
        work,
        hasTool,
        () => {
          step++;
        },
        (f) => progress.update(Math.min(1, (step + f) / steps)),
        (r) => progress.log(lowTrafficLine(r)),
      );
      for (const k of lowTraffic.skipped)
        progress.log(
          `  ${LOW_TRAFFIC} · ${faultLabel(k.fault, k.chain)} · ${k.target} · ${k.level ?? 'all'}: not run — ${k.reason}`,
        );
    } catch (err) {
      progress.log(`  ${LOW_TRAFFIC}: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
    progress.end();
  }

  let autoTune: Awaited<ReturnType<typeof measureAutoTune>> | null = null;
  if (withAutoTune) {
    const autoTuneTiming = quick ? QUICK_AUTO_TUNE_TIMING : FULL_AUTO_TUNE_TIMING;
    progress.begin(`${AUTO_TUNE} · switchyard`, autoTuneTiming.seconds * 1000 + 2000);
    try {
      autoTune = await measureAutoTune(autoTuneTiming, join(work, AUTO_TUNE));
      progress.log(`  ${autoTuneHeadline(autoTune)}`);
    } catch (err) {
      progress.log(`  ${AUTO_TUNE}: FAILED ${(err as Error).message.split('\n')[0]}`);
    }
    progress.end();
  }

  const scenarioForeignCpu =
    scenarios.length || subscriptions || families || lowTraffic
      ? foreignCpuSec(cpuBeforeScenarios, cpuSnapshot())
      : null;
  const scenarioSec = (Date.now() - started.getTime()) / 1000;
  let overhead: BenchReport['overhead'] = null;
  if (withOverhead) {
    let last = -1;
    overhead = await runOverhead(overheadTiming, work, OVERHEAD_TARGETS, (label, index) => {
      if (last >= 0) progress.end();
      last = index;
      progress.begin(`overhead · ${label}`, overheadWeight / overheadSteps);
    });
    progress.end();
  }
  progress.finish();
  let fleetReport: FleetBenchReport | undefined;
  if (values.fleet === true) {
    console.log('fleet mode: saturation on both cores, then detection time across three instances');
    fleetReport = await runFleetBench(work, quick, (label) => console.log(`  ${label}`));
  }

  const finished = new Date();
  const outRel = relative(root, out) || '.';
  const flags = [
    ...(quick ? ['--quick'] : []),
    ...(values.scenario ? [`--scenario ${values.scenario}`] : []),
    ...(values.targets ? [`--targets ${values.targets}`] : []),
    ...(withOverhead ? [] : ['--no-overhead']),
    ...(values['no-subscriptions'] ? ['--no-subscriptions'] : []),
    ...(values['no-families'] ? ['--no-families'] : []),
    ...(values['no-low-traffic'] ? ['--no-low-traffic'] : []),
    ...(values['no-low-traffic-families'] ? ['--no-low-traffic-families'] : []),
    ...(values['no-auto-tune'] ? ['--no-auto-tune'] : []),
    ...(values.fleet ? ['--fleet'] : []),
    ...(values['wait-quiet'] ? [`--wait-quiet ${values['wait-quiet']}`] : []),
    `--out ${outRel}`,
  ].join(' ');
  const report: BenchReport = {
    meta: {
      date: started.toISOString().slice(0, 10),
      commands: [
        `apt-get install -y nginx haproxy wrk${values.fleet ? ' redis-server' : ''}   # optional peers and tools; missing ones are reported`,
        'npm ci && npm run build',
        `npm run bench -- ${flags}`,
      ],
      mode: quick ? 'quick' : 'full',
      machine,
      tools,
      pinning,
      git: gitDescribe(root),
      durationSec: (finished.getTime() - started.getTime()) / 1000,
      notes: [
        'Switchyard runs with its defaults except `cache.enabled: false` (no answer may come from a response cache) and `server.port: 0`.',
        'Targets are figures, not assertions: a miss is reported as such below.',
        quietNote('outage scenarios', scenarioForeignCpu, scenarioSec),
        ...(overhead
          ? [quietNote('overhead and throughput', overhead.foreignCpuSec, overhead.durationSec)]
          : []),
      ].filter((n): n is string => n !== undefined),
    },
    scenarios: sections,
    overhead,
    subscriptions,
    cometSubscriptions,
    families,
    lowTraffic,
    checks: [],
    findings: [],
  };
  report.checks = [
    ...checks(sections, overhead),
    ...subscriptionChecks(subscriptions),
    ...lowTrafficChecks(lowTraffic),
  ];
  report.findings = findings(sections);
  const appendix = {
    'nginx.conf (failover)': readFirst(work, 'nginx/nginx.conf', '-nginx'),
    'haproxy.cfg (failover)': readFirst(work, 'haproxy/haproxy.cfg', '-haproxy'),
    'switchyard.yaml': readFirst(work, 'switchyard.yaml', '-switchyard'),
    ...subscriptions?.configs,
    ...families?.configs,
  };
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  const fleetSection = fleetReport ? `\n${fleetMarkdown(fleetReport)}` : '';
  const autoTuneSection = autoTune ? `\n${autoTuneMarkdown(autoTune, `npm run bench -- ${flags}`)}` : '';
  writeFileSync(
    join(out, 'report.md'),
    `${renderMarkdown(report, appendix)}${fleetSection}${autoTuneSection}`,
  );
  if (autoTune) writeFileSync(join(out, 'auto-tune.json'), `${JSON.stringify(autoTune, null, 1)}\n`);
  if (fleetReport) writeFileSync(join(out, 'fleet.json'), `${JSON.stringify(fleetReport, null, 1)}\n`);
  if (values['keep-work'] !== true) rmSync(work, { recursive: true, force: true });

  // Terminal summary.
  console.log('');
  if (sections.length) console.log(`${headlineTable(report)}\n`);
  if (subscriptions?.results.length) console.log(`${subscriptionTable(subscriptions)}\n`);
  if (cometSubscriptions?.results.length) console.log(`${cometSubscriptionTable(cometSubscriptions)}\n`);
  if (subscriptions?.solana?.results.length) console.log(`${solanaTable(subscriptions.solana)}\n`);
  if (families?.results.length) console.log(`${familiesTable(families)}\n`);
  if (lowTraffic?.rows.length) {
    for (const f of lowTraffic.faults)
      console.log(`low traffic · ${faultLabel(f.name, f.chain)}\n${lowTrafficTable(lowTraffic, f)}\n`);
  }
  if (overhead) console.log(`${overheadTable(overhead)}\n`);
  if (fleetReport) console.log(`${fleetMarkdown(fleetReport)}\n`);
  if (autoTune) console.log(`${autoTuneHeadline(autoTune)}\n`);
  for (const c of report.checks) {
    console.log(`${c.met === null ? ' n/a ' : c.met ? '  ok ' : 'MISS '} ${c.target}: ${c.figure}`);
  }
  console.log(`\nreport: ${join(out, 'report.md')} (${clock(report.meta.durationSec)})`);
  return 0;
}

function readFirst(work: string, file: string, dirSuffix: string): string | undefined {
  try {
    const dir = readdirSync(work).find((d) => d.endsWith(dirSuffix));
    return dir ? readFileSync(join(work, dir, file), 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (bounded) until other processes use less than 15% of a core over a 3 s window. */
async function waitQuiet(maxMs: number): Promise<string> {
  const until = Date.now() + (Number.isFinite(maxMs) ? maxMs : 0);
  let last = 'unknown';
  do {
    const before = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 3000));
    const foreign = foreignCpuSec(before, cpuSnapshot());
    if (foreign === null) return 'cannot measure (/proc missing)';
    last = `${Math.round((foreign / 3) * 100)}% of a core used by others`;
    if (foreign / 3 < 0.15) return `quiet (${last})`;
  } while (Date.now() < until);
  return `still busy after waiting (${last}); running anyway`;
}

/** How busy the machine was with other work while a part ran: the figures' noise floor. */
function quietNote(part: string, foreignSec: number | null, seconds: number): string | undefined {
  if (foreignSec === null || seconds <= 0) return undefined;
  const share = Math.round((foreignSec / seconds) * 100);
  return `Other processes on this machine used ${foreignSec} CPU-s during the ${part} (${Math.round(seconds)} s), i.e. ${share}% of one core${share > 10 ? ': the machine was not quiet, expect noisier figures' : ''}.`;
}

function summaryLine(r: ScenarioResult): string {
  return (
    `  ${r.scenario.padEnd(17)} ${TARGET_LABELS[r.target].padEnd(10)} failed ${String(r.failed).padStart(5)}` +
    `  wrong ${String(r.badAnswers).padStart(4)}  p99 during ${String(r.phases.during.p99Ms ?? '—').padStart(7)} ms` +
    `  detect ${r.detectMs ?? '—'} ms  recover ${r.recoverMs ?? '—'} ms`
  );
}

function familyLine(r: FamiliesSection['results'][number]): string {
  const f = r.figures;
  return (
    `  ${`${FAMILIES} ${r.family}`.padEnd(17)} ${TARGET_LABELS[r.target].padEnd(10)} reads ${String(f.reads).padStart(6)}` +
    `  failed ${String(f.failed).padStart(5)}  p99 in fault ${f.p99InFaultMs ?? '—'} ms  max ${f.maxInFaultMs ?? '—'} ms  > 500 ms ${f.slow}`
  );
}

function lowTrafficLine(r: LowTrafficRow): string {
  const f = r.figures;
  const reads =
    r.level === 0 ? 'no reads' : `failed ${f.failed}/${f.reads}  p99 in fault ${f.p99InFaultMs ?? '—'} ms`;
  return (
    `  ${`${LOW_TRAFFIC} ${faultLabel(r.fault, r.chain)} ${r.level}/s`.padEnd(29)} ${LOW_TRAFFIC_LABELS[r.target as LowTrafficTarget].padEnd(16)}` +
    ` detect ${f.detectMs ?? '—'} ms${f.detectSource ? ` (${f.detectSource})` : ''}  ${reads}  rotation ${f.rotation.ms ?? f.rotation.state}`
  );
}

function subscriptionLine(r: SubscriptionSection['results'][number]): string {
  const f = r.figures;
  if (r.unavailable) return `  ${SUBSCRIPTIONS.padEnd(17)} ${r.target.padEnd(10)} ${r.unavailable}`;
  return (
    `  ${SUBSCRIPTIONS.padEnd(17)} ${r.target.padEnd(10)} blocks missed ${f.blocksMissed}/${f.blocks}` +
    `  logs missed ${f.logsMissed}/${f.logs}  dup ${f.blocksDuplicated}/${f.logsDuplicated}` +
    `  head p99 ${f.headDelay?.p99Ms ?? '—'} ms  connections ${f.connections}`
  );
}

const onSignal = () => {
  killAllChildren();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', killAllChildren);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    killAllChildren();
    process.exit(1);
  },
);
