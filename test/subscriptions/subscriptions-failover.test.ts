// Subscriptions across outages, on the simulated multi-cloud fleet with WebSocket feeds and per-block
// logs: the feeding upstreams' sockets dropped, a region hung silently, a region refusing, every feed
// down at once (then backfilled), and a two-block reorg. Through all of it the client keeps one
// connection and one id per subscription, and gets every canonical block and log once, in order;
// orphaned logs come again with `removed: true`.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { type Fleet, sha256Hex, standardFleet, startFleet } from '../../src/simulation/index.js';
import { getJson, postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { fleetUpstreams, sleep } from '../helpers/ops.js';

interface Head {
  number: number;
  hash: string;
}
interface SeenLog {
  blockHash: string;
  logIndex: string;
  removed: boolean;
}

interface Subscriber {
  ws: WebSocket;
  heads: Head[];
  logs: SeenLog[];
  ids: Set<string>;
  closes: number;
}

let fleet: Fleet | undefined;
let balancer: TestBalancer | undefined;
let subscriber: Subscriber | undefined;

afterEach(async () => {
  subscriber?.ws.terminate();
  await balancer?.close();
  await fleet?.close();
  subscriber = undefined;
  balancer = undefined;
  fleet = undefined;
});

async function setup(): Promise<{ fleet: Fleet; balancer: TestBalancer; sub: Subscriber }> {
  fleet = await startFleet({ providers: standardFleet(), ws: true, logsPerBlock: 2 });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      health: { interval: '200ms', downInterval: '100ms' },
      subscriptions: { pollInterval: '50ms', silentAfter: '300ms' },
      chains: [
        {
          name: 'ethereum',
          chainId: 1,
          upstreams: fleetUpstreams(fleet).map((u) => ({ ...u, ws: fleet!.get(u.name).wsUrl })),
        },
      ],
    },
    { operations: true },
  );
  const ws = new WebSocket(`${balancer.wsUrl}/ethereum`);
  const sub: Subscriber = { ws, heads: [], logs: [], ids: new Set(), closes: 0 };
  const pending = new Map<number, (id: string) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as {
      id?: number;
      result?: unknown;
      params?: { subscription: string; result: Record<string, unknown> };
    };
    if (m.id !== undefined) {
      pending.get(m.id)?.(m.result as string);
      return;
    }
    const { subscription, result } = m.params!;
    sub.ids.add(subscription);
    if (subscription === headsId) {
      sub.heads.push({ number: Number.parseInt(result.number as string, 16), hash: result.hash as string });
    } else {
      sub.logs.push({
        blockHash: result.blockHash as string,
        logIndex: result.logIndex as string,
        removed: result.removed as boolean,
      });
    }
  });
  ws.on('close', () => sub.closes++);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const ask = (id: number, params: unknown[]) =>
    new Promise<string>((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_subscribe', params }));
    });
  const headsId = await ask(1, ['newHeads']);
  await ask(2, ['logs', {}]);
  subscriber = sub;
  // Let every source connect and the feed take the current head as its start.
  await waitFor(() => fleet!.providers.every((p) => p.webSocketCount() > 0), 3000, 'every ws feed up');
  await sleep(150);
  return { fleet, balancer, sub };
}

/** Mines `n` blocks `gapMs` apart. */
async function mine(f: Fleet, n: number, gapMs = 40): Promise<void> {
  for (let i = 0; i < n; i++) {
    f.chain.advance();
    await sleep(gapMs);
  }
}

/**
 * Every canonical block after the first one seen up to the head was announced, the last announcement
 * at each height is the canonical block, no block twice; every canonical log once net of removals.
 */
async function expectComplete(f: Fleet, sub: Subscriber): Promise<void> {
  const head = f.chain.head;
  await waitFor(
    () => sub.heads.some((h) => h.hash === f.chain.canonicalHashes(head, head)[0]),
    5000,
    `head ${head}`,
  );
  const first = sub.heads[0]!.number;
  const expectedLogs = f.chain.canonicalLogs(first, head);
  const net = () => {
    const live = new Map<string, number>();
    for (const l of sub.logs) {
      const key = `${l.blockHash}:${l.logIndex}`;
      live.set(key, (live.get(key) ?? 0) + (l.removed ? -1 : 1));
    }
    return live;
  };
  await waitFor(
    () => expectedLogs.every((l) => net().get(`${l.blockHash}:${l.logIndex}`) === 1),
    5000,
    'every canonical log',
  );
  const hashes = sub.heads.map((h) => h.hash);
  expect(new Set(hashes).size, 'no block announced twice').toBe(hashes.length);
  const lastAt = new Map<number, string>();
  for (const h of sub.heads) lastAt.set(h.number, h.hash);
  const canonical = f.chain.canonicalHashes(first, head);
  expect([...lastAt.keys()].sort((a, b) => a - b)).toEqual(canonical.map((_, i) => first + i));
  expect(canonical.map((_, i) => lastAt.get(first + i))).toEqual(canonical);
  // Every log entry is an add or a removal of an earlier add: nothing added twice without removal.
  for (const [key, count] of net()) expect(count === 0 || count === 1, `log ${key} net ${count}`).toBe(true);
  const canonicalKeys = new Set(expectedLogs.map((l) => `${l.blockHash}:${l.logIndex}`));
  for (const [key, count] of net()) if (count === 1) expect(canonicalKeys.has(key), `log ${key}`).toBe(true);
  expect(sub.closes, 'same connection throughout').toBe(0);
  expect(sub.ids.size, 'one id per subscription').toBe(2);
}

/** Heights announced in order: each announcement is the next height, except a reorg going back. */
function strictlyIncreasing(heads: Head[]): boolean {
  return heads.every((h, i) => i === 0 || h.number === heads[i - 1]!.number + 1);
}

describe('newPendingTransactions (best effort, from WebSocket upstreams)', () => {
  it('delivers a transaction announced by every upstream once', async () => {
    const { fleet: f, balancer: b } = await setup();
    const ws = new WebSocket(`${b.wsUrl}/ethereum`);
    const hashes: string[] = [];
    let id: string | undefined;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: string; params?: { result: string } };
      if (m.id === 1) id = m.result;
      else if (m.params) hashes.push(m.params.result);
    });
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newPendingTransactions"]}');
      await waitFor(() => id !== undefined, 2000, 'the subscription');
      // Every provider subscribes to pending transactions only now; give them a moment.
      await sleep(200);
      const raw = '0x02f8aa0102030405';
      await postRaw(
        `${b.url}/ethereum`,
        `{"jsonrpc":"2.0","id":2,"method":"eth_sendRawTransaction","params":["${raw}"]}`,
      );
      // The simulated chain names a transaction by sha256 of its bytes (src/simulation/transaction-pool.ts).
      const hash = `0x${sha256Hex(raw)}`;
      expect(f.chain.hasTransaction(hash)).toBe(true);
      await waitFor(() => hashes.includes(hash), 3000, 'the pending transaction');
      await sleep(200);
      expect(hashes).toEqual([hash]);
      expect(f.providers.filter((p) => p.webSocketCount() > 0).length).toBe(5);
    } finally {
      ws.terminate();
    }
  });
});

describe('subscriptions survive failover with every block and log once, in order', () => {
  it("drops of the feeding upstreams' sockets (then of every socket at once)", async () => {
    const { fleet: f, sub } = await setup();
    await mine(f, 5);
    for (const p of f.byDomain({ cloud: 'aws' })) p.dropWebSockets();
    await mine(f, 5);
    for (const p of f.providers) p.dropWebSockets();
    await mine(f, 5);
    await expectComplete(f, sub);
    expect(strictlyIncreasing(sub.heads)).toBe(true);
  });

  it('a region hung silently: its feeds count against it and the others carry on', async () => {
    const { fleet: f, balancer: b, sub } = await setup();
    await mine(f, 3);
    await f.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'hang' });
    await mine(f, 15, 60);
    await expectComplete(f, sub);
    expect(strictlyIncreasing(sub.heads)).toBe(true);
    const status = (await getJson(`${b.url}/status`)).json as {
      chains: { upstreams: { name: string; lastError: string | null }[] }[];
    };
    const aws = status.chains[0]!.upstreams.filter((u) => u.name.startsWith('aws'));
    expect(aws.every((u) => /silent|stalled|timeout|websocket/i.test(u.lastError ?? ''))).toBe(true);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_subscription_feed_events_total\{chain="ethereum",event="source_silent"\} [1-9]/,
    );
  });

  it('a region refusing connections', async () => {
    const { fleet: f, sub } = await setup();
    await mine(f, 3);
    await f.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'refuse' });
    await mine(f, 8);
    await f.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'none' });
    await mine(f, 4);
    await expectComplete(f, sub);
    expect(strictlyIncreasing(sub.heads)).toBe(true);
  });

  it('every feed down at once: the missed blocks and their logs are backfilled in order', async () => {
    const { fleet: f, balancer: b, sub } = await setup();
    await mine(f, 3);
    for (const p of f.providers) await p.setFault({ kind: 'refuse' });
    await mine(f, 6);
    const before = sub.heads.length;
    for (const p of f.providers) await p.setFault({ kind: 'none' });
    await mine(f, 2);
    await expectComplete(f, sub);
    expect(sub.heads.length - before).toBe(8);
    expect(strictlyIncreasing(sub.heads)).toBe(true);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/event="backfilled_block"\} [1-9]/);
    expect(metrics).toMatch(/event="backfilled_log"\} [1-9]/);
  });

  it('a two-block reorg: new canonical blocks announced, orphaned logs removed, new logs sent', async () => {
    const { fleet: f, balancer: b, sub } = await setup();
    await mine(f, 4);
    await waitFor(() => sub.heads.at(-1)?.number === f.chain.head, 3000, 'caught up');
    const orphaned = f.chain.canonicalLogs(f.chain.head - 1, f.chain.head);
    await waitFor(() => sub.logs.length >= 8, 3000, 'logs of the mined blocks');
    f.chain.reorg(2);
    await mine(f, 2);
    await expectComplete(f, sub);
    const removed = sub.logs.filter((l) => l.removed).map((l) => `${l.blockHash}:${l.logIndex}`);
    expect(removed.sort()).toEqual(orphaned.map((l) => `${l.blockHash}:${l.logIndex}`).sort());
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/event="reorg"\} 1/);
  });
});
