// The Solana feed's rules in virtual time, with in-memory reads and announcements: what several feeds
// and re-reads report goes out once and in order; a lost feed triggers re-reads (minContextSlot = the
// last slot delivered) and a bounded logs backfill; a signature is polled until its commitment, and
// for a bounded time only; where no upstream has `ws`, everything is polled.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/log/logger.js';
import { ChainRuntime } from '../../../src/routing/chain.js';
import { Dispatcher } from '../../../src/routing/dispatcher.js';
import { type FeedEvent, nullObserver, type Observer } from '../../../src/routing/observer.js';
import { SolanaFeed } from '../../../src/subscriptions/solana/solana-feed.js';
import type { SolanaReads } from '../../../src/subscriptions/solana/solana-reads.js';
import { readSubscribe } from '../../../src/subscriptions/solana/solana-requests.js';
import type { SolanaSource } from '../../../src/subscriptions/solana/solana-source.js';
import type { SolanaWatch } from '../../../src/subscriptions/solana/solana-watch.js';

const GENESIS = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d';
const ACCOUNT = 'So11111111111111111111111111111111111111112';
const SIG = '5'.repeat(88);

let chain: ChainRuntime;
let feed: SolanaFeed;
let slot: number;
let calls: { method: string; params: unknown[] }[];
let accountLamports: number;
let signatureStatus: string | null;
let events: Map<FeedEvent, number>;
let blocksRead: number[];
const received: { id: number; result: unknown }[] = [];

const reads: SolanaReads = {
  slot: async (c) => (c === 'finalized' ? slot - 32 : slot),
  withContext: async (method, params) => {
    calls.push({ method, params });
    const context = `{"apiVersion":"2.2.0","slot":${slot}}`;
    if (method === 'getAccountInfo')
      return `{"context":${context},"value":{"lamports":${accountLamports},"data":["","base64"]}}`;
    return `{"context":${context},"value":[${signatureStatus ?? 'null'}]}`;
  },
  programAccounts: async () => undefined,
  block: async (s) => {
    blocksRead.push(s);
    return `{"transactions":[{"meta":{"err":null,"logMessages":["log ${s}"]},"transaction":{"message":{"accountKeys":["${ACCOUNT}"]},"signatures":["sig${s}"]}}]}`;
  },
};

function setup(ws: boolean, logsBackfill = 150): void {
  const config = buildConfig(
    {
      subscriptions: { pollInterval: '100ms', silentAfter: '500ms', solanaLogsBackfill: logsBackfill },
      chains: [
        {
          name: 'sol',
          family: 'solana',
          genesisHash: GENESIS,
          upstreams: [
            {
              name: 'u1',
              url: 'http://127.0.0.1:1',
              region: 'r1',
              provider: 'p1',
              ...(ws ? { ws: 'ws://127.0.0.1:1' } : {}),
            },
            { name: 'u2', url: 'http://127.0.0.1:2', region: 'r2', provider: 'p2' },
          ],
        },
      ],
    },
    'test.yaml',
  );
  chain = new ChainRuntime(config.chains[0]!, config, Date.now());
  for (const u of chain.upstreams) u.reportedIdentity = GENESIS;
  const observer: Observer = {
    ...nullObserver,
    feedEvent: (_c, e, n) => events.set(e, (events.get(e) ?? 0) + n),
  };
  feed = new SolanaFeed(
    { chain, dispatcher: new Dispatcher(nullObserver) },
    createLogger('error', [], () => {}),
    observer,
    () => {},
    () => 0.5,
    reads,
  );
}

function watch(method: string, params: unknown[], id: number): SolanaWatch {
  const read = readSubscribe(method, params);
  if (!read.ok) throw new Error(read.message);
  const w = feed.watch(read.spec);
  w.clients.add({
    id,
    sink: { notify: (text) => received.push({ id, result: JSON.parse(text).params.result }) },
  });
  return w;
}

/** A stand-in for an upstream's PubSub socket: only what the feed reads of one. */
function source(index: number, lastSlot: number): SolanaSource {
  return {
    upstream: chain.upstreams[index]!,
    lastSlot,
    connected: true,
    behindSinceMs: undefined,
  } as unknown as SolanaSource;
}

const of = (id: number) => received.filter((r) => r.id === id).map((r) => r.result);

beforeEach(() => {
  vi.useFakeTimers();
  slot = 1000;
  calls = [];
  accountLamports = 10;
  signatureStatus = null;
  events = new Map();
  blocksRead = [];
});

afterEach(async () => {
  feed.close();
  await chain.close();
  received.length = 0;
  vi.useRealTimers();
});

describe('SolanaFeed, polled (no upstream has ws)', () => {
  it('slots strictly increasing; an account notified when its state changes, not for the state it began with', async () => {
    setup(false);
    const slots = watch('slotSubscribe', [], 0);
    watch('accountSubscribe', [ACCOUNT, { commitment: 'confirmed', encoding: 'base64' }], 1);
    await vi.advanceTimersByTimeAsync(250);
    slot = 1003;
    await vi.advanceTimersByTimeAsync(250);
    accountLamports = 11;
    slot = 1004;
    await vi.advanceTimersByTimeAsync(250);
    expect(of(0).map((r) => (r as { slot: number }).slot)).toEqual([1000, 1003, 1004]);
    expect(slots.lastSlot).toBe(1004);
    expect(of(1)).toEqual([
      { context: { apiVersion: '2.2.0', slot: 1004 }, value: { lamports: 11, data: ['', 'base64'] } },
    ]);
  });

  it('a signature: polled until it reaches the commitment, notified once; the subscription then ends', async () => {
    setup(false);
    const w = watch('signatureSubscribe', [SIG, { commitment: 'confirmed' }], 0);
    await vi.advanceTimersByTimeAsync(300);
    signatureStatus = '{"slot":999,"confirmations":0,"err":null,"confirmationStatus":"processed"}';
    await vi.advanceTimersByTimeAsync(300);
    expect(of(0)).toEqual([]);
    signatureStatus = '{"slot":999,"confirmations":1,"err":null,"confirmationStatus":"confirmed"}';
    await vi.advanceTimersByTimeAsync(300);
    await vi.advanceTimersByTimeAsync(1000);
    expect(of(0)).toEqual([{ context: { apiVersion: '2.2.0', slot: 1000 }, value: { err: null } }]);
    expect(w.done).toBe(true);
    expect(feed.size).toBe(0);
  });

  it('a signature that never lands is polled for a bounded time only', async () => {
    setup(false);
    watch('signatureSubscribe', [SIG, { commitment: 'finalized' }], 0);
    await vi.advanceTimersByTimeAsync(60_000);
    const during = calls.length;
    expect(during).toBeGreaterThan(100);
    await vi.advanceTimersByTimeAsync(120_000);
    const after = calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.length).toBe(after);
    expect(after).toBeLessThan(1300);
  });
});

describe('SolanaFeed, fed by sockets', () => {
  it('the same (slot, state) from two feeds goes out once; an older slot never', async () => {
    setup(true);
    const w = watch('accountSubscribe', [ACCOUNT, { commitment: 'processed' }], 0);
    const a = source(0, 1000);
    const b = source(1, 1000);
    await vi.advanceTimersByTimeAsync(0);
    const note = (s: number, l: number) => `{"context":{"slot":${s}},"value":{"lamports":${l}}}`;
    feed.notification(a, w.spec.key, note(1001, 1));
    feed.notification(b, w.spec.key, note(1001, 1));
    feed.notification(b, w.spec.key, note(1000, 0));
    feed.notification(a, w.spec.key, note(1002, 1)); // a write that changed nothing: agave sends it
    expect(of(0).map((r) => (r as { context: { slot: number } }).context.slot)).toEqual([1001, 1002]);
  });

  it('a lost feed: the account is re-read with minContextSlot = the last slot delivered; logs backfilled, bounded and counted', async () => {
    setup(true, 5);
    const acc = watch('accountSubscribe', [ACCOUNT, { commitment: 'processed' }], 0);
    watch('logsSubscribe', [{ mentions: [ACCOUNT] }, { commitment: 'confirmed' }], 1);
    const a = source(0, 1000);
    feed.notification(
      a,
      acc.spec.key,
      '{"context":{"slot":1000},"value":{"lamports":10,"data":["","base64"]}}',
    );
    feed.notification(
      a,
      'logs:[{"mentions":["So11111111111111111111111111111111111111112"]},{"commitment":"confirmed"}]',
      '{"context":{"slot":996},"value":{"signature":"sig996","err":null,"logs":[]}}',
    );
    calls = [];
    accountLamports = 12;
    slot = 1010;
    feed.down(a, 'websocket closed (1006)', true);
    await vi.advanceTimersByTimeAsync(50);
    const reread = calls.find((c) => c.method === 'getAccountInfo');
    expect(reread?.params[1]).toMatchObject({ commitment: 'processed', minContextSlot: 1000 });
    expect(of(0)).toHaveLength(2);
    expect(of(0)[1]).toMatchObject({ context: { slot: 1010 }, value: { lamports: 12 } });
    // Backfill from 996 (the lost feed's slot less the commitment's lag) to 1010, bounded to 5 slots.
    expect(blocksRead).toEqual([1006, 1007, 1008, 1009, 1010]);
    expect(events.get('skipped_slot')).toBe(10);
    expect(events.get('source_down')).toBeGreaterThanOrEqual(1);
    expect(of(1).map((r) => (r as { value: { signature: string } }).value.signature)).toEqual([
      'sig996',
      'sig1006',
      'sig1007',
      'sig1008',
      'sig1009',
      'sig1010',
    ]);
    expect(chain.upstreams[0]!.lastError).toMatch(/subscription feed: websocket/);
  });
});
