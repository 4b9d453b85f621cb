// The subscription scenario's CometBFT rows: a fake CometBFT fleet (0.38 /websocket frames) producing
// a height every block time, Switchyard (its merged NewBlock feed over every upstream) and nginx
// pinned to one node's /websocket side by side, one reconnecting NewBlock subscriber on each, through
// the same outage: the pinned node's sockets drop, then it hangs silently, then its whole region
// refuses, then recovery. Measured: heights missed, duplicated, out of order and late.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CometChain, CometNode } from '../../src/simulation/fake-cometbft.js';
import { FakeCometWs } from '../../src/simulation/fake-cometbft-ws.js';
import { type FamilyFleet, startFamilyFleet } from '../../src/simulation/family-fleet.js';
import { standardFleet } from '../../src/simulation/index.js';
import { epochMs, sleep } from '../load/stats.js';
import { startNginxPinnedWs } from '../targets/nginx-pinned-ws.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { upstreamRefsOf } from '../targets/target.js';
import { type DelaySummary, delays } from './analyze.js';
import { CometSubscriber, type CometSubscriberRecord } from './comet-subscriber.js';
import type { SubscriptionTarget, SubscriptionTiming } from './run.js';

const PINNED = 'aws-use1-a';
const REGION = 'us-east-1';

interface CometFigures {
  heights: number;
  missed: number;
  duplicated: number;
  outOfOrder: number;
  /** First delivery of each height minus the moment the fake chain produced it. */
  delay: DelaySummary | null;
  connections: number;
  failedAttempts: number;
}

export interface CometSubscriptionSection {
  title: string;
  what: string;
  window: { fromHeight: number; toHeight: number };
  steps: { tMs: number; label: string }[];
  results: { target: SubscriptionTarget; url: string; figures: CometFigures }[];
  skipped: { target: SubscriptionTarget; reason: string }[];
}

function analyzeComet(
  record: CometSubscriberRecord,
  from: number,
  to: number,
  producedAt: ReadonlyMap<number, number>,
): CometFigures {
  const inWindow = record.heights.filter((h) => h.height >= from && h.height <= to);
  const first = new Map<number, number>();
  let outOfOrder = 0;
  let highest = -1;
  for (const h of inWindow) {
    if (!first.has(h.height)) first.set(h.height, h.atMs);
    if (h.height < highest) outOfOrder++;
    highest = Math.max(highest, h.height);
  }
  const late: number[] = [];
  for (const [height, atMs] of first) {
    const produced = producedAt.get(height);
    if (produced !== undefined) late.push(atMs - produced);
  }
  return {
    heights: to - from + 1,
    missed: to - from + 1 - first.size,
    duplicated: inWindow.length - first.size,
    outOfOrder,
    delay: delays(late),
    connections: record.connections,
    failedAttempts: record.failedAttempts,
  };
}

async function outage(
  fleet: FamilyFleet,
  sockets: Map<string, FakeCometWs>,
  t: SubscriptionTiming,
  mark: (label: string) => void,
) {
  await sleep(t.steadyMs);
  mark(`${PINNED}: WebSocket connections dropped`);
  sockets.get(PINNED)!.drop();
  await sleep(t.afterDropMs);
  mark(`${PINNED}: hangs (silent)`);
  sockets.get(PINNED)!.setMode('hang');
  await fleet.setFault(PINNED, { kind: 'hang' });
  await sleep(t.hangMs);
  mark(`aws/${REGION}: region refuses`);
  for (const p of fleet.byDomain({ region: REGION })) sockets.get(p.name)!.setMode('refuse');
  await fleet.setFault({ region: REGION }, { kind: 'refuse' });
  await sleep(t.regionRefuseMs);
  mark(`aws/${REGION}: back`);
  await fleet.setFault({ region: REGION }, { kind: 'none' });
  for (const p of fleet.byDomain({ region: REGION })) sockets.get(p.name)!.setMode('ok');
  await sleep(t.beforeReorgMs + t.afterReorgMs);
}

export async function runCometSubscriptionScenario(
  t: SubscriptionTiming,
  targets: SubscriptionTarget[],
  dir: string,
  hasNginx: boolean,
): Promise<CometSubscriptionSection> {
  const runDir = join(dir, 'subscriptions-cometbft');
  mkdirSync(runDir, { recursive: true });
  const fleet = await startFamilyFleet('cometbft', { providers: standardFleet(), intervalMs: t.blockTimeMs });
  const chain = fleet.chain as CometChain;
  const producedAt = new Map<number, number>();
  chain.clock.onAdvance((h) => producedAt.set(h, epochMs()));
  const sockets = new Map<string, FakeCometWs>();
  const section: CometSubscriptionSection = {
    title: 'CometBFT subscriptions through a feed outage',
    what:
      `One \`tm.event='NewBlock'\` subscription per target, by a client that subscribes again ${t.reconnectDelayMs} ms after its socket ` +
      `closes (as CosmJS users do) and cannot backfill. A height every ${t.blockTimeMs} ms. nginx proxies /websocket to ${PINNED} only; ` +
      "Switchyard gets every upstream with its `ws:` URL (the node's /websocket).",
    window: { fromHeight: 0, toHeight: -1 },
    steps: [],
    results: [],
    skipped: [],
  };
  const stops: (() => Promise<void>)[] = [];
  const subs: { target: SubscriptionTarget; sub: CometSubscriber }[] = [];
  try {
    for (const p of fleet.providers)
      sockets.set(p.name, await FakeCometWs.start(new CometNode({ chain, moniker: p.name }), chain));
    if (targets.includes('switchyard')) {
      const upstreams = fleet.providers.map((p) => ({
        name: p.name,
        url: p.url,
        ws: sockets.get(p.name)!.url,
        cloud: p.spec.cloud,
        region: p.spec.region,
        provider: p.spec.provider,
      }));
      const sy = await startSwitchyard(
        { upstreams: upstreamRefsOf(fleet), dir: runDir, core: 0, chainId: 1, mode: 'failover' },
        { chains: [{ name: 'cosmoshub', family: 'cometbft', network: fleet.identity, upstreams }] },
      );
      stops.push(() => sy.stop());
      const url = `${sy.url.replace(/^http/, 'ws')}cosmoshub/websocket`;
      subs.push({ target: 'switchyard', sub: new CometSubscriber(url, t.reconnectDelayMs, 2000) });
    }
    if (targets.includes('nginx')) {
      if (!hasNginx) section.skipped.push({ target: 'nginx', reason: 'nginx is not installed' });
      else {
        const port = Number(new URL(sockets.get(PINNED)!.url).port);
        const ng = await startNginxPinnedWs({ name: PINNED, host: '127.0.0.1', port }, runDir, 0);
        stops.push(() => ng.stop());
        subs.push({
          target: 'nginx',
          sub: new CometSubscriber(`${ng.wsUrl}websocket`, t.reconnectDelayMs, 2000),
        });
      }
    }
    for (const s of subs) s.sub.start();
    await sleep(t.warmupMs);
    const startMs = epochMs();
    const fromHeight = chain.height + 1;
    await outage(fleet, sockets, t, (label) =>
      section.steps.push({ tMs: Math.round(epochMs() - startMs), label }),
    );
    fleet.clock.stop();
    const toHeight = chain.height;
    section.steps.push({
      tMs: Math.round(epochMs() - startMs),
      label: 'chain stops; late notifications still count',
    });
    await sleep(t.settleMs);
    section.window = { fromHeight, toHeight };
    for (const { target, sub } of subs) {
      sub.stop();
      section.results.push({
        target,
        url: sub.url,
        figures: analyzeComet(sub.record, fromHeight, toHeight, producedAt),
      });
    }
  } finally {
    for (const s of subs) s.sub.stop();
    await Promise.all(stops.map((stop) => stop().catch(() => {})));
    await Promise.all([...sockets.values()].map((s) => s.close()));
    await fleet.close();
  }
  return section;
}
