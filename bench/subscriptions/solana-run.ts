// The subscription scenario's Solana rows: a fleet of fake agave nodes with PubSub endpoints,
// Switchyard (every upstream's `ws`) and nginx pinned to one node's PubSub port side by side, one
// reconnecting subscriber on each (slots, one account, a signature per transaction), living through the
// same outage: the pinned node's sockets drop, then it hangs silently, then its whole region goes down
// (HTTP and PubSub), then recovery. Transactions are sent straight to a node of the other region, so
// every one lands whatever the targets do.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { parse } from 'yaml';
import type { SolanaCluster } from '../../src/simulation/fake-solana.js';
import { type FamilyFleet, startFamilyFleet } from '../../src/simulation/family-fleet.js';
import { standardFleet } from '../../src/simulation/fleet.js';
import { epochMs, sleep } from '../load/stats.js';
import { startNginxPinnedWs } from '../targets/nginx-pinned-ws.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { upstreamRefsOf } from '../targets/target.js';
import { memoTransaction } from './memo-transaction.js';
import { analyzeSolana, type SolanaFigures, type SolanaTruth } from './solana-analyze.js';
import { SolanaSubscriber } from './solana-subscriber.js';

/** The subscription scenario's targets (run.ts imports this file's types, not the other way round). */
type SubscriptionTarget = 'switchyard' | 'nginx';

const PINNED = 'aws-use1-a';
const SENDER = 'gcp-euw1-a';
const ACCOUNT = 'So11111111111111111111111111111111111111112';
const SLOT_MS = 100;
const WRITE_EVERY_MS = 300;
const SEND_EVERY_MS = 700;

export interface SolanaTiming {
  warmupMs: number;
  steadyMs: number;
  afterDropMs: number;
  hangMs: number;
  regionDownMs: number;
  afterBackMs: number;
  settleMs: number;
  reconnectDelayMs: number;
}

export const SOLANA_TIMING: SolanaTiming = {
  warmupMs: 3000,
  steadyMs: 3000,
  afterDropMs: 3000,
  hangMs: 5000,
  regionDownMs: 5000,
  afterBackMs: 3000,
  settleMs: 2000,
  reconnectDelayMs: 250,
};

export function solanaRunMs(t: SolanaTiming): number {
  return t.warmupMs + t.steadyMs + t.afterDropMs + t.hangMs + t.regionDownMs + t.afterBackMs + t.settleMs;
}

export interface SolanaTargetResult {
  target: SubscriptionTarget;
  unavailable: string | null;
  figures: SolanaFigures;
}

export interface SolanaSubscriptionSection {
  what: string;
  steps: { tMs: number; label: string }[];
  results: SolanaTargetResult[];
  skipped: { target: SubscriptionTarget; reason: string }[];
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function timeline(
  t: SolanaTiming,
): { afterMs: number; label: string; apply: (f: FamilyFleet) => Promise<unknown> }[] {
  const region = { region: 'us-east-1' };
  const regionNodes = (f: FamilyFleet) => f.byDomain(region).map((p) => f.pubsub(p.name));
  return [
    {
      afterMs: t.steadyMs,
      label: `${PINNED}: PubSub sockets dropped`,
      apply: async (f) => f.pubsub(PINNED).drop(),
    },
    {
      afterMs: t.afterDropMs,
      label: `${PINNED}: hangs (silent)`,
      apply: (f) => Promise.all([f.pubsub(PINNED).setMode('hang'), f.setFault(PINNED, { kind: 'hang' })]),
    },
    {
      afterMs: t.hangMs,
      label: 'aws/us-east-1: region down (HTTP refused, PubSub down)',
      apply: (f) =>
        Promise.all([
          f.setFault(region, { kind: 'refuse' }),
          ...regionNodes(f).map((p) => p.setMode('down')),
        ]),
    },
    {
      afterMs: t.regionDownMs,
      label: 'aws/us-east-1: back',
      apply: (f) =>
        Promise.all([f.setFault(region, { kind: 'none' }), ...regionNodes(f).map((p) => p.setMode('ok'))]),
    },
  ];
}

/** Sends a signed transaction to a node of the surviving region; its signature when accepted. */
async function send(fleet: FamilyFleet, wire: string, signature: string): Promise<string | undefined> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'sendTransaction',
    params: [wire, { encoding: 'base64' }],
  });
  const res = await request(fleet.get(SENDER).url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  const answer = (await res.body.json()) as { result?: string };
  return answer.result === signature ? signature : undefined;
}

export async function runSolanaSubscriptions(
  t: SolanaTiming,
  targets: SubscriptionTarget[],
  dir: string,
  hasNginx: boolean,
): Promise<SolanaSubscriptionSection> {
  const runDir = join(dir, 'solana-subscriptions');
  mkdirSync(runDir, { recursive: true });
  const fleet = await startFamilyFleet('solana', {
    providers: standardFleet(),
    intervalMs: SLOT_MS,
    pubsub: true,
  });
  const cluster = fleet.chain as SolanaCluster;
  const slotAt = new Map<number, number>();
  fleet.clock.onAdvance((slot) => slotAt.set(slot, epochMs()));
  const section: SolanaSubscriptionSection = {
    what:
      `slotSubscribe, accountSubscribe (processed) on one account written every ${WRITE_EVERY_MS} ms, and signatureSubscribe ` +
      `(confirmed) for a transaction sent every ${SEND_EVERY_MS} ms, by a client that re-subscribes ${t.reconnectDelayMs} ms after ` +
      `its socket closes. Slots every ${SLOT_MS} ms. nginx proxies the WebSocket to ${PINNED}'s PubSub port only; ` +
      'Switchyard gets every node with its `ws:` URL (its defaults otherwise).',
    steps: [],
    results: [],
    skipped: [],
  };
  const stops: (() => Promise<void>)[] = [];
  const subscribers: { target: SubscriptionTarget; sub: SolanaSubscriber }[] = [];
  try {
    if (targets.includes('switchyard')) {
      try {
        const { chains } = parse(fleet.upstreamsYaml('solana')) as { chains: unknown[] };
        const opts = {
          upstreams: upstreamRefsOf(fleet),
          dir: runDir,
          core: 0,
          chainId: 0,
          mode: 'failover' as const,
        };
        const sy = await startSwitchyard(opts, { chains });
        stops.push(() => sy.stop());
        const url = `${sy.url.replace(/^http/, 'ws')}solana`;
        subscribers.push({
          target: 'switchyard',
          sub: new SolanaSubscriber(url, ACCOUNT, t.reconnectDelayMs),
        });
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
        const ng = await startNginxPinnedWs(
          { name: PINNED, host: '127.0.0.1', port: portOf(fleet.pubsub(PINNED).url) },
          runDir,
          0,
        );
        stops.push(() => ng.stop());
        subscribers.push({
          target: 'nginx',
          sub: new SolanaSubscriber(ng.wsUrl, ACCOUNT, t.reconnectDelayMs),
        });
      }
    }
    // Switchyard feeds a subscription only from upstreams whose genesis hash it checked: give it the warm-up.
    await sleep(t.warmupMs / 2);
    for (const s of subscribers) s.sub.start();
    await sleep(t.warmupMs / 2);
    const startedMs = epochMs();
    const fromSlot = cluster.slot + 1;
    const writes: SolanaTruth['writes'] = [];
    const sent: string[] = [];
    let running = true;
    const writer = (async () => {
      for (let k = 1; running; k++) {
        cluster.ledger.write(ACCOUNT, cluster.slot, { lamports: 1_000_000 + k });
        writes.push({ lamports: 1_000_000 + k, atMs: epochMs() });
        await sleep(WRITE_EVERY_MS);
      }
    })();
    const sender = (async () => {
      for (let k = 0; running; k++) {
        const { wire, signature } = await memoTransaction(fleet.identity, 1 + (k % 250), Math.floor(k / 250));
        for (const s of subscribers) s.sub.watchSignature(signature);
        await sleep(50);
        if ((await send(fleet, wire, signature)) === signature) sent.push(signature);
        await sleep(SEND_EVERY_MS);
      }
    })();
    for (const step of timeline(t)) {
      await sleep(step.afterMs);
      section.steps.push({ tMs: Math.round(epochMs() - startedMs), label: step.label });
      await step.apply(fleet);
    }
    await sleep(t.afterBackMs);
    running = false;
    await Promise.all([writer, sender]);
    const toSlot = cluster.slot;
    await sleep(t.settleMs);
    section.steps.push({
      tMs: Math.round(epochMs() - startedMs),
      label: 'writes and sends stop; late notifications still count',
    });
    const truth: SolanaTruth = {
      slots: [],
      writes,
      signatures: sent.map((signature) => {
        const processed = cluster.processed.get(signature);
        return { signature, confirmedAtMs: processed === undefined ? undefined : slotAt.get(processed + 1) };
      }),
    };
    const pubsubs = fleet.providers.map((p) => fleet.pubsub(p.name));
    for (let s = fromSlot; s <= toSlot; s++) {
      const at = slotAt.get(s);
      if (cluster.isSkipped(s) || at === undefined) continue;
      const sent = pubsubs.flatMap((p) => p.slotSentAtMs.get(s) ?? []);
      truth.slots.push({ slot: s, atMs: at, announcedAtMs: sent.length ? Math.min(...sent) : undefined });
    }
    for (const { target, sub } of subscribers) {
      sub.stop();
      const delivered = sub.record.connections > 0 && sub.record.ids.length > 0;
      section.results.push({
        target,
        unavailable: delivered ? null : `never subscribed: ${sub.record.lastFailure ?? 'no answer'}`,
        figures: analyzeSolana(truth, sub.record),
      });
    }
  } finally {
    for (const s of subscribers) s.sub.stop();
    await Promise.all(stops.map((stop) => stop().catch(() => {})));
    await fleet.close();
  }
  return section;
}
