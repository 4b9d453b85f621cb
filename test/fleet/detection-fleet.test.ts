// Detection in fleet mode (issues 13 and 20) over a real redis-server, with no traffic at all: two CLI
// instances share verdicts; B watches its idle upstreams only every 10 s, so it cannot find a hang soon
// by itself. aws/us-east-1 hangs: A opens the region from its own liveness probes, and B shows it open
// shortly after, learned from Redis (its own detector still has both members clear). After the heal
// both close. DETECTION_FIGURES=1 prints the figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import {
  AWS,
  type DetectionFleet,
  type DetectionStatus,
  domainState,
  pollStatus,
  REGION,
  startDetectionFleet,
  timeline,
  upstreamOf,
} from '../helpers/detection.js';
import { type LogLine, type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { sleep } from '../helpers/ops.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

/** A opens the region this soon after the fault, from its own probes. */
const A_OPENS_WITHIN_MS = 2000;
/** B shows it open this soon after A opened it. */
const B_LAG_WITHIN_MS = 500;
/** Both closed again this soon after the heal. */
const BOTH_CLOSE_WITHIN_MS = 5000;
const AWS_REGION = { cloud: 'aws', region: 'us-east-1' };

let dir: string;
let redis: RedisServer | undefined;
let fleet: DetectionFleet | undefined;
const members: SwitchyardProcess[] = [];
let a: SwitchyardProcess;
let b: SwitchyardProcess;

async function member(name: string, extra: Record<string, unknown> = {}): Promise<SwitchyardProcess> {
  const p = await startSwitchyard(dir, name, {
    server: { host: '127.0.0.1', port: 0 },
    ...extra,
    fleet: { redis: redis!.url, name: 'detection-fleet' },
    chains: fleet!.chains,
  });
  members.push(p);
  await waitFor(() => p.logs.some((l) => l.msg === 'fleet: connected'), 5000, `${name} connected to Redis`);
  return p;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-detection-fleet-'));
  redis = await startRedis();
  fleet = await startDetectionFleet('evm');
  [a, b] = await Promise.all([member('a'), member('b', { health: { watchInterval: '10s' } })]);
  for (const p of [a, b]) {
    const ready = await pollStatus(p.url, (s) => s.upstreams.every((u) => u.usable), 5000);
    expect(ready.atMs, 'every upstream usable after the start').toBeDefined();
  }
}, 30_000);

afterAll(async () => {
  // Fake servers first: their hung sockets are destroyed, so the members have nothing left to drain.
  await fleet?.close();
  await Promise.all(members.map((p) => p.stop()));
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls both members' /status every 10 ms until `done` held on each; when each first did. */
async function untilBoth(done: (s: DetectionStatus) => boolean, timeoutMs: number) {
  const [onA, onB] = await Promise.all([a, b].map((p) => pollStatus(p.url, done, timeoutMs)));
  return { onA: onA!, onB: onB! };
}

const logTime = (p: SwitchyardProcess, match: (l: LogLine) => boolean, sinceEpochMs: number) => {
  const line = p.logs.find((l) => match(l) && Date.parse(l.time) >= sinceEpochMs);
  return line === undefined ? undefined : Date.parse(line.time);
};

describe('detection in fleet mode, no traffic', () => {
  it('A opens a hung region from its own probes, B learns it from Redis within 500 ms, both close after the heal', async () => {
    // The idle watch under way on A.
    await sleep(500);
    const faultAt = performance.now();
    const faultAtEpoch = Date.now();
    await fleet!.setFault(AWS_REGION, { kind: 'hang' });
    const opened = await untilBoth((s) => domainState(s) === 'open', A_OPENS_WITHIN_MS + 3000);
    const story = () =>
      `A after the fault:\n${timeline(a.logs, faultAtEpoch)}\nB after the fault:\n${timeline(b.logs, faultAtEpoch)}`;

    // A, from its own liveness probes.
    expect(opened.onA.atMs, `A never showed ${REGION} open; ${story()}`).toBeDefined();
    const aOpenMs = Math.round(opened.onA.atMs! - faultAt);
    expect(aOpenMs, `A open ${aOpenMs} ms after the fault; ${story()}`).toBeLessThanOrEqual(
      A_OPENS_WITHIN_MS,
    );
    const aDown = AWS.map((name) => upstreamOf(opened.onA.status, name).detection);
    expect(aDown.map((d) => d.state)).toEqual(['down', 'down']);

    // B, from Redis: its own detector has not seen anything.
    expect(opened.onB.atMs, `B never showed ${REGION} open; ${story()}`).toBeDefined();
    const bLagSeenMs = Math.round(opened.onB.atMs! - opened.onA.atMs!);
    expect(bLagSeenMs, `B showed it open ${bLagSeenMs} ms after A; ${story()}`).toBeLessThanOrEqual(
      B_LAG_WITHIN_MS,
    );
    expect(AWS.map((name) => upstreamOf(opened.onB.status, name).detection.state)).toEqual([
      'clear',
      'clear',
    ]);
    const aOpenLog = logTime(
      a,
      (l) => l.msg === 'failure domain breaker' && l.domain === REGION && l.to === 'open',
      faultAtEpoch,
    );
    const bLearnedLog = logTime(
      b,
      (l) => l.msg === 'failure domain opened by another fleet member' && l.domain === REGION,
      faultAtEpoch,
    );
    expect(aOpenLog, story()).toBeDefined();
    expect(bLearnedLog, story()).toBeDefined();
    const bLagLoggedMs = bLearnedLog! - aOpenLog!;
    expect(bLagLoggedMs, story()).toBeGreaterThanOrEqual(0);
    expect(bLagLoggedMs, story()).toBeLessThanOrEqual(B_LAG_WITHIN_MS);

    const healAt = performance.now();
    const healAtEpoch = Date.now();
    await fleet!.setFault(AWS_REGION, { kind: 'none' });
    const closed = await untilBoth((s) => domainState(s) === 'closed', BOTH_CLOSE_WITHIN_MS + 3000);
    const afterHeal = () =>
      `A after the heal:\n${timeline(a.logs, healAtEpoch)}\nB after the heal:\n${timeline(b.logs, healAtEpoch)}`;
    const closedMs = [closed.onA.atMs, closed.onB.atMs].map((at) =>
      at === undefined ? undefined : Math.round(at - healAt),
    );
    for (const [i, ms] of closedMs.entries()) {
      expect(ms, `${i === 0 ? 'A' : 'B'} not closed; ${afterHeal()}`).toBeDefined();
      expect(ms, `${i === 0 ? 'A' : 'B'} closed ${ms} ms after the heal; ${afterHeal()}`).toBeLessThanOrEqual(
        BOTH_CLOSE_WITHIN_MS,
      );
    }

    if (process.env.DETECTION_FIGURES) {
      console.info(
        JSON.stringify({
          aOpenSeenMs: aOpenMs,
          aOpenLoggedMs: aOpenLog! - faultAtEpoch,
          bLagSeenMs,
          bLagLoggedMs,
          aClosedSeenMs: closedMs[0],
          bClosedSeenMs: closedMs[1],
          aReasons: aDown.map((d) => d.reason),
        }),
      );
    }
  });
});
