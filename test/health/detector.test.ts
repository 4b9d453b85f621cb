// The detector (health/detector.ts) in virtual time: suspicion from a stalled read, confirmation by
// probes with deadlines learned from each upstream's latency, idle upstreams watched, slow upstreams not
// taken for dead ones, and stalls that end after a heal reopening nothing. The dispatcher runs for real;
// upstream replies and liveness probes are stubbed (no socket is opened).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Detector, type LivenessProbe } from '../../health/detector.js';
import { buildConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import type { CallAnswer } from '../../src/routing/call-answer.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { Dispatcher } from '../../src/routing/dispatcher.js';
import { nullObserver } from '../../src/routing/observer.js';
import type { Upstream } from '../../src/routing/upstream.js';
import type { AttemptReceiver } from '../../src/routing/upstream-client.js';
import type { AttemptEnd } from '../../src/rpc/outcome.js';

const NOW = 1_000_000;
const AWS = 'region:aws/us-east-1';

/** How each upstream behaves: answers after `latencyMs`, or never (hang). */
interface Behaviour {
  latencyMs: number;
  hang: boolean;
  /** What a call answers (a quantity: a head for eth_blockNumber). */
  result: string;
}

let chain: ChainRuntime;
let dispatcher: Dispatcher;
let detector: Detector;
let behaviour: Map<string, Behaviour>;
/** Every probe sent: upstream name and when. */
let probes: { upstream: string; atMs: number; deadlineMs: number }[];
let cancelled: string[];
/** Upstreams whose identity and head the detector asked the health checker to check now. */
let rechecked: string[];

const answer = (result: string): AttemptEnd => ({
  kind: 'reply',
  status: 200,
  headers: {},
  body: `{"jsonrpc":"2.0","id":1,"result":"${result}"}`,
});
const cancelledEnd: AttemptEnd = {
  kind: 'transport',
  error: new Error('request aborted'),
  timedOut: false,
  cancelled: true,
};

/** The liveness probe, stubbed: a hung upstream leaves it unanswered until its deadline. */
const probe: LivenessProbe = (_chain, u, deadlineMs) => {
  probes.push({ upstream: u.name, atMs: Date.now(), deadlineMs });
  const b = behaviour.get(u.name)!;
  return new Promise((resolve) => {
    if (b.hang || b.latencyMs > deadlineMs) {
      setTimeout(() => resolve({ alive: false, reason: 'timeout', latencyMs: deadlineMs }), deadlineMs);
    } else {
      setTimeout(
        () => resolve({ alive: true, reason: '', latencyMs: b.latencyMs, identity: '1' }),
        b.latencyMs,
      );
    }
  });
};

/** This process's event-loop delay as the detector sees it (health/loop-delay.ts); 0 unless a test sets it. */
let loopDelayMs = 0;

function setup(fleet: [string, string, number][]): void {
  const config = buildConfig(
    {
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: fleet.map(([name, region, _latency]) => ({
            name,
            url: 'http://127.0.0.1:9/',
            cloud: region.split('/')[0],
            region: region.split('/')[1],
            provider: `p-${name}`,
          })),
        },
      ],
    },
    't.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, NOW);
  behaviour = new Map(fleet.map(([name, , latencyMs]) => [name, { latencyMs, hang: false, result: '0x64' }]));
  for (const u of chain.upstreams) {
    u.reportedChainId = 1;
    u.head = 100;
    u.health = 'up';
    Object.assign(u.client, {
      sendTo: (receiver: AttemptReceiver) => {
        const b = behaviour.get(u.name)!;
        let settled = false;
        const settle = (end: AttemptEnd) => {
          if (settled) return;
          settled = true;
          queueMicrotask(() => receiver.onAttemptEnd(end));
        };
        if (!b.hang) setTimeout(() => settle(answer(b.result)), b.latencyMs);
        return {
          cancel: () => {
            cancelled.push(u.name);
            settle(cancelledEnd);
          },
        };
      },
    });
  }
  dispatcher = new Dispatcher(nullObserver, Date.now, () => 0.5);
  const recheck = (_c: ChainRuntime, u: Upstream) => rechecked.push(u.name);
  // Jitter that varies (a constant would hide a watch that skips every other tick).
  const jitter = [0.05, 0.95, 0.5, 0.25, 0.75];
  let draw = 0;
  const random = () => jitter[draw++ % jitter.length]!;
  detector = new Detector(
    [chain],
    probe,
    createLogger('error'),
    nullObserver,
    recheck,
    random,
    () => loopDelayMs,
  );
  detector.start();
}

const STANDARD: [string, string, number][] = [
  ['aws-a', 'aws/us-east-1', 1],
  ['aws-b', 'aws/us-east-1', 1],
  ['gcp-a', 'gcp/europe-west1', 4],
  ['gcp-b', 'gcp/europe-west1', 4],
  ['lava', 'lava/global', 8],
];

const named = (name: string): Upstream => chain.upstreams.find((u) => u.name === name)!;
const read = (): Promise<CallAnswer> =>
  dispatcher.dispatch(
    chain,
    { id: '1', method: 'eth_getBalance', params: ['0x0', 'latest'], paramsRaw: '["0x0","latest"]' },
    { deadlineAtMs: Date.now() + 10_000 },
  );
const hang = (...names: string[]) => {
  for (const n of names) behaviour.get(n)!.hang = true;
};
const heal = (...names: string[]) => {
  for (const n of names) behaviour.get(n)!.hang = false;
};
const regionState = () => chain.domainState(AWS, Date.now());

/** Advances virtual time in 1 ms steps until `done()` holds; returns how long it took, or -1. */
async function within(limitMs: number, done: () => boolean): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= limitMs) {
    if (done()) return Date.now() - start;
    await vi.advanceTimersByTimeAsync(1);
  }
  return -1;
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  loopDelayMs = 0;
  probes = [];
  cancelled = [];
  rechecked = [];
});

afterEach(async () => {
  detector.stop();
  vi.useRealTimers();
  await chain.close();
});

describe('suspect, then confirm', () => {
  it('a single stall at 1 read/s opens a two-member hung region once probes confirm it', async () => {
    setup(STANDARD);
    // Three quiet seconds: liveness probes alone give the chain its latency samples.
    await vi.advanceTimersByTimeAsync(3000);
    expect(chain.latency.count(Date.now())).toBeGreaterThanOrEqual(20);
    hang('aws-a', 'aws-b');
    const sentAt = Date.now();
    const first = read();
    // One read; the region opens on the stall of its one attempt and the probes that follow it.
    const took = await within(300, () => regionState() === 'open');
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(150);
    expect(named('aws-a').detection.state).toBe('down');
    expect(named('aws-b').detection.state).toBe('down');
    // The read itself was answered elsewhere (hedged), and its abandoned attempt cancelled.
    const answered = await first;
    expect(answered.kind).toBe('result');
    expect(answered.upstream).toMatch(/^gcp|^lava/);
    expect(cancelled.some((name) => name.startsWith('aws'))).toBe(true);
    // The sibling was probed because its region-mate stalled, not because a read met it.
    const siblingProbe = probes.find((p) => p.upstream === 'aws-b' && p.atMs >= sentAt);
    expect(siblingProbe).toBeDefined();
    // Reads after that never go to the open region.
    for (let i = 0; i < 3; i++) {
      const next = read();
      await vi.advanceTimersByTimeAsync(1000);
      expect((await next).upstream).not.toMatch(/^aws/);
    }
  });

  it('a false alarm just before an outage does not hold back the probes of the region-mate', async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(3000);
    // A false alarm: aws-a and, correlated, aws-b are probed and cleared.
    detector.suspect(named('aws-a'), 'stalled', Date.now());
    expect(await within(100, () => named('aws-a').detection.state === 'clear')).toBeGreaterThan(0);
    // The real outage 50 ms later, within the watch interval that limits correlated probes.
    await vi.advanceTimersByTimeAsync(50);
    hang('aws-a', 'aws-b');
    const sentAt = Date.now();
    detector.suspect(named('aws-a'), 'stalled', sentAt);
    // aws-a confirmed down: a confirmed failure probes its region-mate at once, whatever the limit.
    const took = await within(400, () => regionState() === 'open');
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(150);
    const confirmedAt = named('aws-a').detection.sinceMs;
    expect(probes.some((p) => p.upstream === 'aws-b' && p.atMs === confirmedAt)).toBe(true);
  });

  it("a failure confirmed while the breaker's half-open trial is out leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      setup(STANDARD);
      await vi.advanceTimersByTimeAsync(2000);
      const u = named('aws-a');
      u.breaker.open();
      await vi.advanceTimersByTimeAsync(chain.settings.breakers.upstream.resetTimeoutMs + 1);
      expect(u.breaker.halfOpen).toBe(true);
      // The one trial a half-open breaker admits, still in flight: opossum refuses any other fire.
      u.breaker.fire(new Promise<void>(() => {})).catch(() => {});
      hang('aws-a');
      detector.suspect(u, 'stalled', Date.now());
      expect(await within(1000, () => u.detection.state === 'down')).toBeGreaterThan(0);
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('with no traffic at all, liveness probes open a hung region within a second', async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(2000);
    hang('aws-a', 'aws-b');
    const took = await within(1500, () => regionState() === 'open');
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(1000);
    // The other regions are untouched.
    expect(chain.domainState('region:gcp/europe-west1', Date.now())).toBe('closed');
  });

  it('a slow but answering upstream is not confirmed down: its deadline is learned from its own latency', async () => {
    setup([
      ['far-a', 'aws/ap-south-1', 180],
      ['far-b', 'aws/ap-south-1', 200],
      ['near', 'gcp/europe-west1', 4],
    ]);
    // Its answers teach the detector its latency; a stall would suspect it, the probe clears it.
    await vi.advanceTimersByTimeAsync(5000);
    detector.suspect(named('far-a'), 'stalled', Date.now());
    await vi.advanceTimersByTimeAsync(3000);
    expect(named('far-a').detection.state).toBe('clear');
    expect(named('far-b').detection.state).toBe('clear');
    expect(chain.domainState('region:aws/ap-south-1', Date.now())).toBe('closed');
    const farProbes = probes.filter((p) => p.upstream === 'far-a');
    expect(Math.max(...farProbes.slice(-3).map((p) => p.deadlineMs))).toBeGreaterThanOrEqual(4 * 150);
  });

  it("a busy balancer does not take its own slowness for an upstream's: its loop delay extends the deadline", async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(3100);
    // Our own event loop ran 60 ms late lately; the upstream's answer takes 80 ms to be read.
    loopDelayMs = 60;
    behaviour.get('aws-a')!.latencyMs = 80;
    detector.suspect(named('aws-a'), 'stalled', Date.now());
    expect(await within(200, () => named('aws-a').detection.state === 'clear')).toBeGreaterThan(0);
    expect(probes.at(-1)!.deadlineMs).toBeGreaterThanOrEqual(30 + 60);
    // The same answer time with a punctual loop is a failure to answer (its estimate still says 1 ms):
    // the next watch probes confirm it down.
    // A quiet loop's jitter (under 20 ms) adds nothing.
    loopDelayMs = 15;
    named('aws-a').latency.reset(1, Date.now());
    expect(await within(1500, () => named('aws-a').detection.state === 'down')).toBeGreaterThanOrEqual(0);
  });

  it('an upstream that turns ten times slower is heard again: unanswered probes double their deadline', async () => {
    setup(STANDARD);
    // Between two watch probes (every 500 ms here), so no probe sent before the change answers it.
    await vi.advanceTimersByTimeAsync(3100);
    behaviour.get('aws-a')!.latencyMs = 100;
    detector.suspect(named('aws-a'), 'stalled', Date.now());
    // Confirmed down on a 30 ms deadline, then back once a probe waits long enough for its answer.
    expect(await within(200, () => named('aws-a').detection.state === 'down')).toBeGreaterThan(0);
    const back = await within(5000, () => named('aws-a').detection.state === 'clear');
    expect(back).toBeGreaterThan(0);
    // One slow member is not a region outage.
    expect(regionState()).toBe('closed');
  });
});

describe('after the heal', () => {
  it('a stall that ends after the heal reopens nothing, and the region carries reads within a second', async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(3000);
    hang('aws-a', 'aws-b');
    // A read into the hung region whose late stall will land after the heal.
    void read();
    await within(300, () => regionState() === 'open');
    expect(regionState()).toBe('open');
    await vi.advanceTimersByTimeAsync(2000);
    heal('aws-a', 'aws-b');
    const healedAt = Date.now();
    const closed = await within(1000, () => regionState() === 'closed');
    expect(closed).toBeGreaterThanOrEqual(0);
    const usable = await within(1000, () => !named('aws-a').isDown && !named('aws-b').isDown);
    expect(usable).toBeGreaterThanOrEqual(0);
    // A call sent during the hang, failing now, is old news: no suspicion, no domain evidence.
    detector.suspect(named('aws-a'), 'timeout', healedAt - 1500);
    expect(named('aws-a').detection.state).toBe('clear');
    await vi.advanceTimersByTimeAsync(500);
    expect(regionState()).toBe('closed');
    expect(Date.now() - healedAt).toBeLessThan(2500);
    // Reads reach the region again (after the slow-start ramp at most a second).
    await vi.advanceTimersByTimeAsync(1000);
    const picks: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const r = read();
      await vi.advanceTimersByTimeAsync(20);
      picks.push((await r).upstream);
    }
    expect(picks.some((u) => u?.startsWith('aws'))).toBe(true);
  });
});

describe('probe cost', () => {
  it('watches an idle upstream about twice a second and skips the probe while live traffic answers', async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(10_000);
    const idle = probes.filter((p) => p.upstream === 'aws-a').length;
    expect(idle).toBeGreaterThanOrEqual(17);
    expect(idle).toBeLessThanOrEqual(21);
    // Busy: a read every 100 ms answered by aws-a (the cheapest) leaves its probe nothing to do.
    const before = probes.length;
    for (let i = 0; i < 50; i++) {
      void read();
      await vi.advanceTimersByTimeAsync(100);
    }
    const busy = probes.slice(before).filter((p) => p.upstream === 'aws-a').length;
    expect(busy).toBeLessThanOrEqual(1);
  });

  it('probe latencies are latency samples: a quiet chain hedges after its observed p95, not the 250 ms maximum', async () => {
    setup(STANDARD);
    expect(dispatcher.hedgeDelayMs(chain, 'eth_getBalance')).toBe(250);
    await vi.advanceTimersByTimeAsync(3000);
    expect(dispatcher.hedgeDelayMs(chain, 'eth_getBalance')).toBeLessThan(30);
  });

  it("a read sent to the fastest upstream hedges after 4 × its latency, not the chain's p95 set by a slow one", async () => {
    setup([
      ['aws-a', 'aws/us-east-1', 1],
      ['aws-b', 'aws/us-east-1', 60],
      ['gcp-a', 'gcp/europe-west1', 60],
      ['gcp-b', 'gcp/europe-west1', 60],
    ]);
    await vi.advanceTimersByTimeAsync(3000);
    // The chain's samples are mostly the slow upstreams' probe round trips.
    expect(dispatcher.hedgeDelayMs(chain, 'eth_getBalance')).toBeGreaterThanOrEqual(50);
    // Tried on the 1 ms upstream: 4 ms, raised to routing.hedge.minDelay (15 ms).
    expect(dispatcher.hedgeDelayMs(chain, 'eth_getBalance', named('aws-a'))).toBe(15);
    // Tried on a slow one: the chain's p95 stands.
    expect(dispatcher.hedgeDelayMs(chain, 'eth_getBalance', named('gcp-a'))).toBeGreaterThanOrEqual(50);
  });
});

describe('wrong answers are suspicion too', () => {
  const blockNumber = (): Promise<CallAnswer> =>
    dispatcher.dispatch(
      chain,
      { id: '1', method: 'eth_blockNumber', params: [], paramsRaw: '[]' },
      { deadlineAtMs: Date.now() + 10_000 },
    );

  it('a head far from the chain head checks identity and head at once, at most once a second', async () => {
    setup(STANDARD);
    await vi.advanceTimersByTimeAsync(1000);
    // At the chain head (100): nothing to check.
    const atHead = blockNumber();
    await vi.advanceTimersByTimeAsync(20);
    expect((await atHead).kind).toBe('result');
    expect(rechecked).toEqual([]);
    // Every upstream now answers a head 90 blocks back (maxBlockLag is 5).
    for (const b of behaviour.values()) b.result = '0xa';
    const behind = blockNumber();
    await vi.advanceTimersByTimeAsync(20);
    const who = (await behind).upstream!;
    expect(rechecked).toEqual([who]);
    const again = blockNumber();
    await vi.advanceTimersByTimeAsync(20);
    await again;
    expect(rechecked.filter((n) => n === who)).toHaveLength(1);
  });

  it('a liveness probe naming another chain checks the upstream at once', async () => {
    setup(STANDARD);
    const liar = named('lava');
    (detector as unknown as { probe: LivenessProbe }).probe = async (_c, u, _d) => ({
      alive: true,
      reason: '',
      latencyMs: 1,
      identity: u === liar ? '137' : '1',
    });
    await vi.advanceTimersByTimeAsync(600);
    expect(rechecked).toEqual(['lava']);
  });
});
