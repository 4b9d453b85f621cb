// Admission control (src/routing/admission.ts) in virtual time: calls in flight per chain and attempts per
// upstream are bounded; past the bounds a call is answered OVERLOADED at once, a full upstream is passed
// over for one with room, and retries and hedges respect the bounds too. Upstream replies are stubbed:
// no socket is opened (undici pools connect lazily).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { CallAdmission } from '../../src/routing/admission.js';
import type { CallAnswer } from '../../src/routing/call-answer.js';
import { ChainRuntime } from '../../src/routing/chain.js';
import { Dispatcher } from '../../src/routing/dispatcher.js';
import { nullObserver, type Observer, type RejectReason } from '../../src/routing/observer.js';
import type { Upstream } from '../../src/routing/upstream.js';
import type { AttemptReceiver } from '../../src/routing/upstream-client.js';
import { hasRoom } from '../../src/routing/upstream-room.js';
import { ERRORS } from '../../src/rpc/errors.js';
import type { AttemptEnd } from '../../src/rpc/outcome.js';

const NOW = 1_000_000;
let chain: ChainRuntime;
let rejections: RejectReason[];
let dispatcher: Dispatcher;

/** One held reply per attempt sent, released by the test. */
interface Held {
  upstream: string;
  release(end: AttemptEnd): void;
}
let held: Held[];

const ok: AttemptEnd = {
  kind: 'reply',
  status: 200,
  headers: {},
  body: '{"jsonrpc":"2.0","id":1,"result":"0x1"}',
};
const refused: AttemptEnd = {
  kind: 'transport',
  error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  timedOut: false,
  cancelled: false,
};

function makeChain(routing: Record<string, unknown>, maxConnections = 2): void {
  const config = buildConfig(
    {
      // Count bounds only, unless a test sets maxQueueWait: the time bound has its own test.
      routing: { hedge: { enabled: false }, maxQueueWait: 0, ...routing },
      chains: [
        {
          name: 'eth',
          chainId: 1,
          upstreams: ['a', 'b'].map((name) => ({
            name,
            url: 'http://127.0.0.1:9/',
            cloud: 'aws',
            region: `r-${name}`,
            provider: `p-${name}`,
            maxConnections,
          })),
        },
      ],
    },
    't.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, NOW);
  for (const u of chain.upstreams) {
    u.reportedChainId = 1;
    u.head = 100;
    u.health = 'up';
    Object.assign(u.client, {
      sendTo: (receiver: AttemptReceiver) =>
        held.push({ upstream: u.name, release: (end) => queueMicrotask(() => receiver.onAttemptEnd(end)) }),
    });
  }
}

const named = (name: string): Upstream => chain.upstreams.find((u) => u.name === name)!;
const call = (id: number) => ({ id: String(id), method: 'eth_blockNumber', params: [], paramsRaw: '[]' });
const send = (id: number, restrictTo?: ReadonlySet<Upstream>) =>
  dispatcher.dispatch(chain, call(id), { deadlineAtMs: Date.now() + 10_000, restrictTo });
const errorCode = (a: CallAnswer) => (JSON.parse(a.raw) as { code?: number }).code;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  held = [];
  rejections = [];
  const observer: Observer = { ...nullObserver, rejected: (reason) => rejections.push(reason) };
  dispatcher = new Dispatcher(observer, Date.now, () => 0.5);
});

afterEach(async () => {
  vi.useRealTimers();
  await chain?.close();
});

describe('CallAdmission', () => {
  it('admits up to its limit and frees a place per call that leaves', () => {
    const gate = new CallAdmission(2);
    expect([gate.enter(), gate.enter(), gate.enter()]).toEqual([true, true, false]);
    gate.leave();
    expect(gate.enter()).toBe(true);
    expect(gate.inFlight).toBe(2);
  });
});

describe('admission control in the dispatcher', () => {
  it('answers OVERLOADED at once past routing.maxInFlight, and admits again once calls finish', async () => {
    makeChain({ maxInFlight: 2 });
    const first = [send(1), send(2)];
    const third = await send(3);
    expect(third.kind).toBe('error');
    expect(third.kind === 'error' && third.overloaded).toBe(true);
    expect(errorCode(third)).toBe(ERRORS.OVERLOADED.rpcCode);
    expect(rejections).toEqual(['overloaded']);
    expect(held).toHaveLength(2);
    for (const h of held) h.release(ok);
    expect((await Promise.all(first)).map((a) => a.kind)).toEqual(['result', 'result']);
    expect(chain.admission.inFlight).toBe(0);
    const fourth = send(4);
    held[2]!.release(ok);
    expect((await fourth).kind).toBe('result');
  });

  it('passes an upstream whose connections and queue are full over for one with room', async () => {
    makeChain({ upstreamQueue: 1 }, 2);
    // a is the cheaper: it takes calls until it holds maxConnections + upstreamQueue = 3 attempts.
    named('b').latency.observe(200, NOW);
    const calls = [1, 2, 3, 4, 5].map((id) => send(id));
    expect(held.map((h) => h.upstream)).toEqual(['a', 'a', 'a', 'b', 'b']);
    expect(hasRoom(chain, named('a'), NOW)).toBe(false);
    expect(hasRoom(chain, named('b'), NOW)).toBe(true);
    for (const h of held) h.release(ok);
    expect((await Promise.all(calls)).every((a) => a.kind === 'result')).toBe(true);
  });

  it('answers OVERLOADED when no upstream that could serve the call has room', async () => {
    makeChain({ upstreamQueue: 0 }, 1);
    const calls = [send(1), send(2)];
    const third = await send(3);
    expect(third.kind === 'error' && third.overloaded).toBe(true);
    expect(errorCode(third)).toBe(ERRORS.OVERLOADED.rpcCode);
    // Restricted to a full upstream (a sticky filter, a broadcast): OVERLOADED, not NO_UPSTREAM.
    const pinned = await send(4, new Set([named('a')]));
    expect(errorCode(pinned)).toBe(ERRORS.OVERLOADED.rpcCode);
    expect(rejections).toEqual(['overloaded', 'overloaded']);
    for (const h of held) h.release(ok);
    await Promise.all(calls);
  });

  it('sends no retry to a survivor that is full: the call is OVERLOADED instead of queued', async () => {
    makeChain({ upstreamQueue: 0 }, 1);
    named('b').latency.observe(200, NOW);
    const onB = send(1, new Set([named('b')]));
    expect(held.map((h) => h.upstream)).toEqual(['b']);
    // a refuses (an outage); the retry would go to b, which already holds its one connection.
    const outage = send(2);
    expect(held.map((h) => h.upstream)).toEqual(['b', 'a']);
    held[1]!.release(refused);
    const answer = await outage;
    expect(answer.kind === 'error' && answer.overloaded).toBe(true);
    expect(held).toHaveLength(2);
    held[0]!.release(ok);
    expect((await onB).kind).toBe('result');
  });

  it('lets an upstream past its count take more while its oldest attempt waited less than maxQueueWait', async () => {
    makeChain({ upstreamQueue: 1, maxQueueWait: '100ms' }, 1);
    named('b').latency.observe(200, NOW);
    const calls = [1, 2, 3].map((id) => send(id));
    // a holds its connection + queue count of 2, and its oldest attempt is fresh: the queue moves.
    expect(held.map((h) => h.upstream)).toEqual(['a', 'a', 'a']);
    await vi.advanceTimersByTimeAsync(100);
    // Now the oldest has waited 100 ms: a takes no more (the count is passed), b does.
    calls.push(send(4));
    expect(held.map((h) => h.upstream)).toEqual(['a', 'a', 'a', 'b']);
    expect(hasRoom(chain, named('a'), Date.now())).toBe(false);
    for (const h of held) h.release(ok);
    await Promise.all(calls);
    expect(hasRoom(chain, named('a'), Date.now())).toBe(true);
  });

  it('sends no hedge to a full upstream', async () => {
    makeChain({ upstreamQueue: 0, hedge: { enabled: true, minDelay: '10ms', maxDelay: '10ms' } }, 1);
    named('b').latency.observe(200, NOW);
    const onB = send(1, new Set([named('b')]));
    const slow = send(2);
    expect(held.map((h) => h.upstream)).toEqual(['b', 'a']);
    await vi.advanceTimersByTimeAsync(50);
    // The hedge delay passed: b has no room, so no hedge was sent and the call waits for a.
    expect(held).toHaveLength(2);
    held[1]!.release(ok);
    expect((await slow).kind).toBe('result');
    held[0]!.release(ok);
    await onB;
  });
});
