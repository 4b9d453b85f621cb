// Detection at any traffic level through real sockets (issue 20), for every family: a fleet with a
// two-member region aws/us-east-1 behind the built CLI with its default config. Both aws members hang
// (or refuse connections) at 0 and at 5 reads/s: the region opens from the detector's probes within a
// bound, /status shows both members confirmed down with a reason, no read fails, and after the heal the
// region closes, both members are usable again and reads reach them. DETECTION_FIGURES=1 prints the
// figures of each case (the bench measures them properly).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AWS,
  type DetectionFamily,
  type DetectionFleet,
  domainState,
  type PacedReads,
  pacedReads,
  pollStatus,
  REGION,
  type ReadSample,
  readOnce,
  startDetectionFleet,
  timeline,
  upstreamOf,
} from '../helpers/detection.js';
import { type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { sleep } from '../helpers/ops.js';

interface DetectionCase {
  family: DetectionFamily;
  readsPerSecond: number;
  fault: 'hang' | 'refuse';
  /** The region must show open on /status this soon after the fault. */
  openWithinMs: number;
}

const FAMILIES: DetectionFamily[] = ['evm', 'solana', 'bitcoin', 'cometbft'];
const CASES: DetectionCase[] = [
  ...FAMILIES.flatMap((family): DetectionCase[] => [
    { family, readsPerSecond: 0, fault: 'hang', openWithinMs: 2000 },
    { family, readsPerSecond: 5, fault: 'hang', openWithinMs: 1000 },
  ]),
  { family: 'evm', readsPerSecond: 0, fault: 'refuse', openWithinMs: 2000 },
];
/** Both members usable again and the region closed this soon after the heal. */
const HEALED_WITHIN_MS = 2000;
/** How much longer than its bound a step is waited for, so that a failure reports the figure it saw. */
const GRACE_MS = 3000;
const AWS_REGION = { cloud: 'aws', region: 'us-east-1' };

let dir: string;
let fleet: DetectionFleet | undefined;
let balancer: SwitchyardProcess | undefined;
let reads: PacedReads | undefined;
let started = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-detection-'));
});

afterEach(async () => {
  await reads?.stop();
  // Fake servers first: their hung sockets are destroyed, so the balancer has nothing left to drain.
  await fleet?.close();
  await balancer?.stop();
  reads = undefined;
  fleet = undefined;
  balancer = undefined;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function setup(family: DetectionFamily): Promise<SwitchyardProcess> {
  fleet = await startDetectionFleet(family);
  // The default config: no tuning of health checks, detection, breakers or routing.
  balancer = await startSwitchyard(dir, `${family}-${started++}`, {
    server: { host: '127.0.0.1', port: 0 },
    chains: fleet.chains,
  });
  const ready = await pollStatus(
    balancer.url,
    (s) => s.upstreams.every((u) => u.usable && u.detection.state === 'clear'),
    5000,
  );
  expect(ready.atMs, 'every upstream usable after the start').toBeDefined();
  return balancer;
}

/** Polls `done` every 20 ms until it holds (true) or `timeoutMs` passed (false). */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

const fromAws = (samples: ReadSample[]) =>
  samples.filter((s) => s.upstream !== undefined && AWS.includes(s.upstream));

/** Sequential reads until one is answered by an aws member (or `timeoutMs` passed). */
async function readUntilAws(url: string, family: DetectionFamily, timeoutMs: number): Promise<ReadSample[]> {
  const pool = new Pool(url, { connections: 1 });
  const samples: ReadSample[] = [];
  const deadline = performance.now() + timeoutMs;
  try {
    for (let i = 0; performance.now() < deadline; i++) {
      const s = await readOnce(pool, family, 10_000 + i);
      samples.push(s);
      if (fromAws([s]).length > 0) break;
      await sleep(50);
    }
  } finally {
    await pool.close();
  }
  return samples;
}

describe.each(CASES)('$family at $readsPerSecond reads/s, aws/us-east-1 members $fault', (c) => {
  it(`the region opens within ${c.openWithinMs} ms, no read fails, and it closes after the heal`, async () => {
    const b = await setup(c.family);
    if (c.readsPerSecond > 0) {
      const r = pacedReads(b.url, c.family, c.readsPerSecond, 15_000);
      reads = r;
      // Three seconds of reads: the chain's hedge and stall delays come from its latencies once it has
      // 20 samples (before, they are 250 ms and 1 s), and the reads settle on the cheapest region, the
      // one about to fail.
      const settled = await waitUntil(
        () => r.samples.length >= 15 && fromAws(r.samples.slice(-3)).length === 3,
        8000,
      );
      expect(settled, `reads answered by aws before the fault: ${r.samples.map((s) => s.upstream)}`).toBe(
        true,
      );
    } else await sleep(500); // the idle watch under way

    const faultAt = performance.now();
    const faultAtEpoch = Date.now();
    await fleet!.setFault(AWS_REGION, { kind: c.fault });
    const opened = await pollStatus(b.url, (s) => domainState(s) === 'open', c.openWithinMs + GRACE_MS);
    const openMs = opened.atMs === undefined ? undefined : Math.round(opened.atMs - faultAt);
    const story = () => `after the fault:\n${timeline(b.logs, faultAtEpoch)}`;
    expect(openMs, `${REGION} never showed open; ${story()}`).toBeDefined();
    expect(openMs, `${REGION} open ${openMs} ms after the fault; ${story()}`).toBeLessThanOrEqual(
      c.openWithinMs,
    );

    // Both members confirmed down, each with why, and out of rotation.
    const down = await pollStatus(
      b.url,
      (s) => AWS.every((name) => upstreamOf(s, name).detection.state === 'down'),
      2000,
    );
    for (const name of AWS) {
      const u = upstreamOf(down.status, name);
      expect(u.detection, `${name}; ${story()}`).toMatchObject({
        state: 'down',
        reason: expect.stringMatching(/\S/),
      });
      expect(u.usable, name).toBe(false);
    }

    // Reads during the outage are answered, and not by the region.
    const pool = new Pool(b.url, { connections: 1 });
    const during: ReadSample[] = [];
    for (let i = 0; i < 5; i++) during.push(await readOnce(pool, c.family, 1000 + i));
    await pool.close();
    expect(during.filter((s) => !s.ok)).toEqual([]);
    expect(fromAws(during)).toEqual([]);

    const healAt = performance.now();
    const healAtEpoch = Date.now();
    await fleet!.setFault(AWS_REGION, { kind: 'none' });
    const healed = await pollStatus(
      b.url,
      (s) => domainState(s) === 'closed' && AWS.every((name) => upstreamOf(s, name).usable),
      HEALED_WITHIN_MS + GRACE_MS,
    );
    const healMs = healed.atMs === undefined ? undefined : Math.round(healed.atMs - healAt);
    const afterHeal = () =>
      `after the heal:\n${timeline(b.logs, healAtEpoch)}\n/status: ${JSON.stringify(healed.status)}`;
    expect(healMs, `not closed and usable again; ${afterHeal()}`).toBeDefined();
    expect(healMs, afterHeal()).toBeLessThanOrEqual(HEALED_WITHIN_MS);

    // Reads reach the region again: the paced loop's, or reads sent for the purpose at 0 reads/s.
    let back: ReadSample[];
    if (reads) {
      const r = reads;
      const since = () => r.samples.filter((s) => s.sentMs >= healAt);
      await waitUntil(() => fromAws(since()).length > 0, 3000);
      back = since();
    } else back = await readUntilAws(b.url, c.family, 3000);
    const samples = reads ? await reads.stop() : [];
    expect(fromAws(back).length, `reads after the heal: ${back.map((s) => s.upstream)}`).toBeGreaterThan(0);
    expect(back.filter((s) => !s.ok)).toEqual([]);
    expect(samples.filter((s) => !s.ok)).toEqual([]);
    if (c.readsPerSecond > 0)
      expect(fromAws(samples.filter((s) => s.sentMs < faultAt)).length).toBeGreaterThan(0);

    if (process.env.DETECTION_FIGURES) {
      const openedAt = opened.status.domains.find((d) => d.key === REGION)!.openedAt;
      console.info(
        JSON.stringify({
          family: c.family,
          readsPerSecond: c.readsPerSecond,
          fault: c.fault,
          openSeenMs: openMs,
          openedAtMs: openedAt === null ? null : Date.parse(openedAt) - faultAtEpoch,
          bothDownSeenMs: down.atMs === undefined ? null : Math.round(down.atMs - faultAt),
          healedSeenMs: healMs,
          firstSuspicion: b.logs.find(
            (l) => l.msg === 'upstream suspect' && Date.parse(l.time) >= faultAtEpoch,
          )?.reason,
          reads: samples.length,
        }),
      );
    }
  });
});
