// The subscription scenario: one ws-enabled fleet with per-block logs, Switchyard (its merged feed over
// every upstream) and nginx pinned to one upstream side by side, one reconnecting subscriber on each,
// living through the same feed outage at the same moment: the pinned upstream's sockets drop, then it
// hangs silently, then its whole region refuses, then the chain reorgs two blocks, then recovery.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  type Fleet,
  LOG_ADDRESSES,
  logMatches,
  parseLogMatcher,
  type SimLog,
  standardFleet,
  startFleet,
} from '../../src/simulation/index.js';
import { epochMs, sleep } from '../load/stats.js';
import { startNginxPinnedWs } from '../targets/nginx-pinned-ws.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { upstreamRefsOf } from '../targets/target.js';
import { analyzeFeed, type FeedFigures, type FeedTruth, logKey } from './analyze.js';
import type { SolanaSubscriptionSection } from './solana-run.js';
import { Subscriber } from './subscriber.js';

export type SubscriptionTarget = 'switchyard' | 'nginx';

export interface SubscriptionTiming {
  blockTimeMs: number;
  logsPerBlock: number;
  /** Subscribers connect; not measured. */
  warmupMs: number;
  steadyMs: number;
  /** After the pinned upstream's sockets drop, before it hangs. */
  afterDropMs: number;
  hangMs: number;
  regionRefuseMs: number;
  /** From the region's return to the reorg. */
  beforeReorgMs: number;
  afterReorgMs: number;
  /** The chain stops; late notifications may still arrive. */
  settleMs: number;
  reconnectDelayMs: number;
}

export const FULL_SUBSCRIPTION_TIMING: SubscriptionTiming = {
  blockTimeMs: 200,
  logsPerBlock: 3,
  warmupMs: 1500,
  steadyMs: 5000,
  afterDropMs: 3000,
  hangMs: 5000,
  regionRefuseMs: 5000,
  beforeReorgMs: 2500,
  afterReorgMs: 4000,
  settleMs: 1500,
  reconnectDelayMs: 250,
};

export const QUICK_SUBSCRIPTION_TIMING: SubscriptionTiming = {
  ...FULL_SUBSCRIPTION_TIMING,
  warmupMs: 1000,
  steadyMs: 1500,
  afterDropMs: 1000,
  hangMs: 1500,
  regionRefuseMs: 1500,
  beforeReorgMs: 1000,
  afterReorgMs: 1500,
  settleMs: 1000,
};

export function subscriptionRunMs(t: SubscriptionTiming): number {
  return (
    t.warmupMs +
    t.steadyMs +
    t.afterDropMs +
    t.hangMs +
    t.regionRefuseMs +
    t.beforeReorgMs +
    t.afterReorgMs +
    t.settleMs
  );
}

/** The upstream nginx is pinned to and the outage hits: the fastest one, as an operator would pick. */
const PINNED_UPSTREAM = 'aws-use1-a';
const REORG_DEPTH = 2;
/** The logs subscription: two of the three emitting contracts, so the filter matters. */
const LOGS_FILTER = { address: [LOG_ADDRESSES[0], LOG_ADDRESSES[1]] };

export interface SubscriptionTargetResult {
  target: SubscriptionTarget;
  /** The endpoint subscribed at. */
  url: string;
  /** Set when the target never delivered a subscription (e.g. no WebSocket endpoint): why. */
  unavailable: string | null;
  figures: FeedFigures;
}

export interface SubscriptionSection {
  title: string;
  what: string;
  timing: SubscriptionTiming;
  window: { fromHeight: number; toHeight: number };
  /** Timeline steps, ms after the measured window began. */
  steps: { tMs: number; label: string }[];
  results: SubscriptionTargetResult[];
  skipped: { target: SubscriptionTarget; reason: string }[];
  /** nginx.conf of the pinned proxy and switchyard.yaml, for the report's appendix. */
  configs: Record<string, string>;
  /** The Solana rows (solana-run.ts), when run. */
  solana?: SolanaSubscriptionSection | null;
}

interface Step {
  afterMs: number;
  label: string;
  apply: (fleet: Fleet) => unknown;
}

function timeline(t: SubscriptionTiming): Step[] {
  const pinned = PINNED_UPSTREAM;
  return [
    {
      afterMs: t.steadyMs,
      label: `${pinned}: WebSocket connections dropped`,
      apply: (f) => f.get(pinned).dropWebSockets(),
    },
    {
      afterMs: t.afterDropMs,
      label: `${pinned}: hangs (silent)`,
      apply: (f) => f.setFault(pinned, { kind: 'hang' }),
    },
    {
      afterMs: t.hangMs,
      label: 'aws/us-east-1: region refuses',
      apply: (f) => f.setFault({ region: 'us-east-1' }, { kind: 'refuse' }),
    },
    {
      afterMs: t.regionRefuseMs,
      label: 'aws/us-east-1: back',
      apply: (f) => f.setFault({ region: 'us-east-1' }, { kind: 'none' }),
    },
    {
      afterMs: t.beforeReorgMs,
      label: `reorg of ${REORG_DEPTH} blocks`,
      apply: (f) => {
        f.chain.reorg(REORG_DEPTH);
      },
    },
  ];
}

/** What the chain did over the window, as each subscriber should have seen it. */
function truthOf(fleet: Fleet, fromHeight: number, toHeight: number, orphaned: SimLog[]): FeedTruth {
  const chain = fleet.chain;
  const matcher = parseLogMatcher(LOGS_FILTER);
  if (typeof matcher === 'string') throw new Error(matcher);
  const hashes = chain.canonicalHashes(fromHeight, toHeight);
  return {
    canonical: hashes.map((hash, i) => ({
      number: fromHeight + i,
      hash,
      producedAtMs: chain.producedAtMs(hash),
    })),
    canonicalLogs: chain
      .canonicalLogs(fromHeight, toHeight)
      .filter((l) => logMatches(l, matcher))
      .map((l) => logKey(l.blockHash, Number(l.logIndex))),
    orphanedLogs: orphaned
      .filter((l) => Number(l.blockNumber) >= fromHeight && logMatches(l, matcher))
      .map((l) => logKey(l.blockHash, Number(l.logIndex))),
  };
}

export async function runSubscriptionScenario(
  timing: SubscriptionTiming,
  targets: SubscriptionTarget[],
  dir: string,
  hasNginx: boolean,
  onProgress?: (fraction: number) => void,
): Promise<SubscriptionSection> {
  const runDir = join(dir, 'subscriptions');
  mkdirSync(runDir, { recursive: true });
  const fleet = await startFleet({
    chainId: 1,
    blockTimeMs: timing.blockTimeMs,
    logsPerBlock: timing.logsPerBlock,
    providers: standardFleet(),
    ws: true,
  });
  const section: SubscriptionSection = {
    title: 'Subscriptions through a feed outage and a reorg',
    what:
      `One newHeads and one logs subscription (address filter: 2 of the 3 emitting contracts) per target, by a client that ` +
      `reconnects and re-subscribes ${timing.reconnectDelayMs} ms after its socket closes (as viem does) and cannot backfill. ` +
      `Blocks every ${timing.blockTimeMs} ms with ${timing.logsPerBlock} logs each. nginx proxies the WebSocket to ${PINNED_UPSTREAM} only; ` +
      'Switchyard gets every upstream with its `ws:` URL.',
    timing,
    window: { fromHeight: 0, toHeight: -1 },
    steps: [],
    results: [],
    skipped: [],
    configs: {},
  };
  const stops: (() => Promise<void>)[] = [];
  const subscribers: { target: SubscriptionTarget; url: string; sub: Subscriber }[] = [];
  const orphanedLogs: SimLog[] = [];
  fleet.chain.onEvent((e) => {
    if (e.kind !== 'reorg') return;
    for (const b of e.orphaned) orphanedLogs.push(...(fleet.chain.logsOfHash(b.hash) ?? []));
  });
  try {
    const upstreams = upstreamRefsOf(fleet);
    const subscriberOpts = {
      logsFilter: LOGS_FILTER,
      reconnectDelayMs: timing.reconnectDelayMs,
      subscribeTimeoutMs: 2000,
    };
    if (targets.includes('switchyard')) {
      try {
        const chains = (parse(fleet.upstreamsYaml('ethereum', { ws: true })) as { chains: unknown[] }).chains;
        const sy = await startSwitchyard(
          { upstreams, dir: runDir, core: 0, chainId: 1, mode: 'failover' },
          { chains },
        );
        stops.push(() => sy.stop());
        const url = `${sy.url.replace(/^http/, 'ws')}ethereum`;
        subscribers.push({ target: 'switchyard', url, sub: new Subscriber({ url, ...subscriberOpts }) });
      } catch (err) {
        section.skipped.push({
          target: 'switchyard',
          reason: `did not start: ${(err as Error).message.split('\n')[0]}`,
        });
      }
    }
    if (targets.includes('nginx')) {
      if (!hasNginx)
        section.skipped.push({
          target: 'nginx',
          reason: 'nginx is not installed (apt-get install -y nginx)',
        });
      else {
        try {
          const pinned = fleet.get(PINNED_UPSTREAM);
          const ng = await startNginxPinnedWs(
            { name: pinned.name, host: '127.0.0.1', port: pinned.port },
            runDir,
            0,
          );
          stops.push(() => ng.stop());
          section.configs['nginx.conf (pinned WebSocket)'] = ng.config;
          subscribers.push({
            target: 'nginx',
            url: ng.wsUrl,
            sub: new Subscriber({ url: ng.wsUrl, ...subscriberOpts }),
          });
        } catch (err) {
          section.skipped.push({
            target: 'nginx',
            reason: `did not start: ${(err as Error).message.split('\n')[0]}`,
          });
        }
      }
    }
    for (const s of subscribers) s.sub.start();
    const totalMs = subscriptionRunMs(timing);
    const startedMs = epochMs();
    const progress = setInterval(() => onProgress?.(Math.min(1, (epochMs() - startedMs) / totalMs)), 200);
    progress.unref();
    try {
      await sleep(timing.warmupMs);
      const windowStartMs = epochMs();
      const fromHeight = fleet.chain.head + 1;
      for (const step of timeline(timing)) {
        await sleep(step.afterMs);
        section.steps.push({ tMs: Math.round(epochMs() - windowStartMs), label: step.label });
        await step.apply(fleet);
      }
      await sleep(timing.afterReorgMs);
      fleet.chain.stop();
      const toHeight = fleet.chain.head;
      section.steps.push({
        tMs: Math.round(epochMs() - windowStartMs),
        label: 'chain stops; late notifications still count',
      });
      await sleep(timing.settleMs);
      section.window = { fromHeight, toHeight };
      const truth = truthOf(fleet, fromHeight, toHeight, orphanedLogs);
      for (const { target, url, sub } of subscribers) {
        sub.stop();
        const figures = analyzeFeed(truth, sub.record);
        const delivered = sub.record.subscriptionIds.length > 0;
        section.results.push({
          target,
          url,
          unavailable: delivered ? null : `never subscribed: ${sub.record.lastFailure ?? 'no answer'}`,
          figures,
        });
      }
    } finally {
      clearInterval(progress);
    }
    writeFileSync(
      join(runDir, 'subscribers.json'),
      JSON.stringify(subscribers.map((s) => ({ target: s.target, ...s.sub.record }))),
    );
  } finally {
    for (const s of subscribers) s.sub.stop();
    await Promise.all(stops.map((stop) => stop().catch(() => {})));
    await fleet.close();
  }
  return section;
}
