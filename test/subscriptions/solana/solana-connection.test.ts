// What a Solana PubSub client gets from the WebSocket code it shares with EVM, on real sockets: a config
// reload keeps its socket, its subscription ids and its notifications; a client that stops reading is
// closed with 1008 (send buffer full) while a reading one carries on; keep-alive pings reach it, and a
// peer that never answers them is cut.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildConfig } from '../../../src/config/config.js';
import { nullObserver, type Observer } from '../../../src/routing/observer.js';
import type { SolanaCluster } from '../../../src/simulation/fake-solana.js';
import { openMuteWebSocket } from '../../helpers/mute-socket.js';
import { parseProm, total } from '../../helpers/ops.js';
import { RawClient, type SolanaSetup, slotGaps, startSolanaSetup } from '../../helpers/solana-pubsub.js';

const ACCOUNT = 'So11111111111111111111111111111111111111112';
const NODES = ['aws-a', 'aws-b', 'gcp-a'];

let setup: SolanaSetup | undefined;
const clients: RawClient[] = [];
let writer: NodeJS.Timeout | undefined;

afterEach(async () => {
  clearInterval(writer);
  for (const c of clients.splice(0)) c.close();
  await setup?.close();
  setup = undefined;
});

async function open(s: SolanaSetup): Promise<RawClient> {
  const c = await RawClient.open(`${s.balancer.wsUrl}/sol`);
  clients.push(c);
  return c;
}

const cluster = (s: SolanaSetup) => s.fleet.chain as SolanaCluster;
const slotsOf = (c: RawClient, id: number) => c.of(id).map((r) => (r as { slot: number }).slot);
const lamportsOf = (c: RawClient, id: number) =>
  c.of(id).map((r) => (r as { value: { lamports: number } }).value.lamports);

describe('Solana subscriptions through the shared WebSocket code', () => {
  it('a reload keeps the socket, the subscription ids and the notifications', async () => {
    setup = await startSolanaSetup();
    const s = setup;
    const c = await open(s);
    const slotId = await c.subscribe('slotSubscribe');
    const accountId = await c.subscribe('accountSubscribe', [
      ACCOUNT,
      { commitment: 'processed', encoding: 'base64' },
    ]);
    await c.until(() => NODES.every((n) => s.fleet.pubsub(n).subscriptionCount('account') === 1));
    cluster(s).ledger.write(ACCOUNT, cluster(s).slot, { lamports: 1001 });
    await c.until(() => lamportsOf(c, accountId).includes(1001) && slotsOf(c, slotId).length >= 2);

    await s.balancer.server.reload(buildConfig({ ...s.raw, routing: { maxAttempts: 3 } }, 'test.yaml'));
    const slotsAtReload = slotsOf(c, slotId).length;
    cluster(s).ledger.write(ACCOUNT, cluster(s).slot, { lamports: 1002 });
    await c.until(
      () => lamportsOf(c, accountId).includes(1002) && slotsOf(c, slotId).length >= slotsAtReload + 5,
    );
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    expect(lamportsOf(c, accountId)).toEqual([1001, 1002]);
    // One strictly increasing slot stream across the reload, nothing announced missing.
    const slots = slotsOf(c, slotId);
    expect(slots.every((slot, i) => i === 0 || slot > slots[i - 1]!)).toBe(true);
    expect(slotGaps(slots, (slot) => cluster(s).isSkipped(slot))).toEqual([]);
    // The ids still answer as this connection's, and a new subscription gets a fresh one.
    expect(await c.subscribe('rootSubscribe')).toBe(accountId + 1);
    expect(await c.request('accountUnsubscribe', [accountId])).toMatchObject({ result: true });
    // The feed was kept, not duplicated: one upstream account subscription per node, then none.
    await c.until(() => NODES.every((n) => s.fleet.pubsub(n).subscriptionCount('account') === 0));
  });

  it('a client that stops reading is closed with 1008 (send buffer full); a reading client carries on', async () => {
    let resumeSlow = () => {};
    const closes: string[] = [];
    const observer: Observer = {
      ...nullObserver,
      websocketClosed: (reason) => {
        closes.push(reason);
        // Read again at once, so the close frame queued behind the backlog arrives within its grace.
        if (reason === 'slow_consumer') resumeSlow();
      },
    };
    // A buffer the reading client never comes near (it would have to stall for over a second).
    setup = await startSolanaSetup({ slotMs: 100, subscriptions: { sendBufferBytes: '2mb' }, observer });
    const s = setup;
    const params = [ACCOUNT, { commitment: 'processed', encoding: 'base64' }];
    const reading = await open(s);
    const slow = await open(s);
    const readingId = await reading.subscribe('accountSubscribe', params);
    await slow.subscribe('accountSubscribe', params);
    await reading.until(() => NODES.every((n) => s.fleet.pubsub(n).subscriptionCount('account') === 1));
    const slowClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // The slow client stops reading its socket (the TCP window closes, Switchyard's buffer grows).
    const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    resumeSlow = () => tcp.resume();
    // An account of 96 KiB rewritten every slot: each notification is 128 KiB of base64.
    const data = Buffer.alloc(96 * 1024, 7).toString('base64');
    let lamports = 0;
    writer = setInterval(
      () => cluster(s).ledger.write(ACCOUNT, cluster(s).slot, { lamports: ++lamports, data }),
      50,
    );
    expect(await slowClosed).toEqual({ code: 1008, reason: 'send buffer full: client reads too slowly' });
    expect(closes).toEqual(['slow_consumer']);
    expect(s.balancer.logs.some((l) => l.includes('slow WebSocket client closed'))).toBe(true);
    const before = reading.of(readingId).length;
    await reading.until(() => reading.of(readingId).length >= before + 3, 10_000);
    expect(reading.socket.readyState).toBe(WebSocket.OPEN);
    const seen = lamportsOf(reading, readingId);
    expect(seen.every((l, i) => i === 0 || l > seen[i - 1]!)).toBe(true);
  }, 60_000);

  it('keep-alive: a subscribed Solana client answers pings and stays; a peer that never answers is cut', async () => {
    setup = await startSolanaSetup({ config: {}, subscriptions: { pingInterval: '250ms' } });
    const s = setup;
    const c = await open(s);
    let pings = 0;
    c.socket.on('ping', () => pings++);
    const slotId = await c.subscribe('slotSubscribe');
    const mute = openMuteWebSocket(s.balancer.url, '/sol');
    await mute.closed;
    await c.until(() => pings >= 2);
    const before = slotsOf(c, slotId).length;
    await c.until(() => slotsOf(c, slotId).length >= before + 2);
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    const metrics = parseProm(await (await fetch(`${s.balancer.url}/metrics`)).text());
    expect(total(metrics, 'switchyard_websocket_closed_total', { reason: 'ping_timeout' })).toBe(1);
  });
});
