// CometBFT subscriptions across outages, on real sockets: the feeding sockets dropped, a region hung
// silently, every socket refused (polling and backfill take over), every upstream down then back.
// Through all of it the client keeps one connection and its subscription, and gets every height once,
// in order; dropped and silent sockets count against their upstreams. Nodes that discard ABCI
// responses: the missed heights' transactions come from tx_search. Then CosmJS's Comet38Client
// (subscribeNewBlock, subscribeTx) through Switchyard with a failover in the middle.
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../bench/anvil/chain-front.js';
import { CometNode } from '../../../src/simulation/fake-cometbft.js';
import { getJson, postRaw } from '../../helpers/balancer.js';
import { type CometSetup, heightsOf, RawClient, sendTx, startCometSetup } from '../../helpers/comet-fleet.js';
import { parseProm, sleep, total } from '../../helpers/ops.js';

let setup: CometSetup | undefined;
let client: RawClient | undefined;
let comet: Comet38Client | undefined;

afterEach(async () => {
  comet?.disconnect();
  client?.ws.terminate();
  await setup?.close();
  setup = undefined;
  client = undefined;
  comet = undefined;
});

/** Moves the chain `n` heights, one every `everyMs`. */
async function advance(s: CometSetup, n: number, everyMs = 60): Promise<void> {
  for (let i = 0; i < n; i++) {
    s.fleet.clock.advance();
    await sleep(everyMs);
  }
}

function contiguous(heights: number[]): boolean {
  return heights.every((h, i) => i === 0 || h === heights[i - 1]! + 1);
}

describe('CometBFT subscriptions across failover', () => {
  it('every height once, in order, through dropped, silent, refused and absent upstreams', async () => {
    setup = await startCometSetup();
    const s = setup;
    client = await RawClient.open(`${s.balancer.wsUrl}/cosmoshub/websocket`);
    const c = client;
    expect((await c.call(1, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    await advance(s, 3);

    // 1. Every feeding socket dropped at once: they reconnect, the gap is backfilled.
    for (const ws of s.sockets.values()) ws.drop();
    await advance(s, 4);

    // 2. One region hangs silently (sockets open but quiet, HTTP hung): the other feeds on.
    s.sockets.get('a1')!.setMode('hang');
    s.sockets.get('a2')!.setMode('hang');
    await s.fleet.setFault({ region: 'us-east-1' }, { kind: 'hang' });
    await advance(s, 15, 100);
    await s.fleet.setFault({ region: 'us-east-1' }, { kind: 'none' });
    s.sockets.get('a1')!.setMode('ok');
    s.sockets.get('a2')!.setMode('ok');

    // 3. Every socket refused: HTTP polling takes over.
    for (const ws of s.sockets.values()) ws.setMode('refuse');
    await advance(s, 5, 100);

    // 4. Every upstream down, HTTP too, then back: the missed heights come first, in order.
    await s.fleet.setFault({ cloud: 'aws' }, { kind: 'refuse' });
    await s.fleet.setFault({ cloud: 'gcp' }, { kind: 'refuse' });
    await advance(s, 4);
    await s.fleet.setFault({ cloud: 'aws' }, { kind: 'none' });
    await s.fleet.setFault({ cloud: 'gcp' }, { kind: 'none' });
    for (const ws of s.sockets.values()) ws.setMode('ok');
    await advance(s, 3);

    const top = s.chain.height;
    await waitFor(() => heightsOf(c, 1).includes(top), 15_000, `height ${top}`);
    const heights = heightsOf(c, 1);
    expect(new Set(heights).size).toBe(heights.length);
    expect(contiguous(heights)).toBe(true);
    expect(heights.at(-1)).toBe(top);
    expect(c.closes).toBe(0);
    // Every notification came under the one subscribe id.
    expect(c.frames.every((f) => f.id === 1)).toBe(true);
    // Dropped and silent sockets were evidence against their upstreams.
    const logs = s.balancer.logs.join('\n');
    expect(logs).toContain('subscription feed down');
    // The hung region's sockets: silent while open, or their subscribe unanswered after a reconnect.
    expect(
      s.balancer.logs.some(
        (l) =>
          /"upstream":"a[12]"/.test(l) &&
          (l.includes('subscription feed silent') || l.includes('NewBlock subscription unanswered')),
      ),
    ).toBe(true);
    // The metrics show the feed's outages and the heights fetched rather than pushed.
    const metrics = parseProm(await (await fetch(`${s.balancer.url}/metrics`)).text());
    const feed = (event: string) =>
      total(metrics, 'switchyard_subscription_feed_events_total', { chain: 'cosmoshub', event });
    expect(feed('source_down')).toBeGreaterThan(0);
    expect(feed('backfilled_block')).toBeGreaterThan(0);
    const status = (await getJson(`${s.balancer.url}/status`)).json as {
      chains: {
        familyFeed: { family: string; active: boolean; head: number; subscriptions: { NewBlock: number } };
      }[];
    };
    expect(status.chains[0]!.familyFeed).toMatchObject({
      family: 'cometbft',
      active: true,
      head: top,
      subscriptions: { NewBlock: 1 },
    });
    // Back in service, the sockets feed again.
    await waitFor(
      () =>
        s.balancer.server.websocket.familyStatus('cosmoshub')?.sources.every((x) => x.transport === 'ws') ===
        true,
      10_000,
      'sockets back',
    );
  }, 60_000);

  it('heights missed while every upstream was down are backfilled from tx_search when block_results is refused', async () => {
    // Every node discards ABCI responses: block_results never answers, the tx index does.
    setup = await startCometSetup({ discardAbciResponses: true });
    const s = setup;
    client = await RawClient.open(`${s.balancer.wsUrl}/cosmoshub/websocket`);
    const c = client;
    expect((await c.call(1, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    expect((await c.call(2, 'subscribe', { query: "tm.event='Tx'" })).result).toEqual({});
    const alice = "tm.event='Tx' AND transfer.recipient='cosmos1alice'";
    expect((await c.call(3, 'subscribe', { query: alice })).result).toEqual({});
    // The sockets feed first: the heights before the outage are pushed, not backfilled.
    await waitFor(
      () =>
        s.balancer.server.websocket.familyStatus('cosmoshub')?.sources.every((x) => x.transport === 'ws') ===
        true,
      10_000,
      'sockets feeding',
    );
    await advance(s, 2);
    const before = s.chain.height;
    await waitFor(() => heightsOf(c, 1).includes(before), 10_000, `height ${before}`);

    // Every upstream down, sockets and HTTP, while four heights commit (three with transactions);
    // the transactions reach the mempool through a node of the same chain outside Switchyard.
    const outside = new CometNode({ chain: s.chain });
    const broadcast = (text: string) => outside.call('broadcast_tx_sync', { tx: sendTx(text) });
    for (const ws of s.sockets.values()) ws.setMode('refuse');
    await s.fleet.setFault({ cloud: 'aws' }, { kind: 'refuse' });
    await s.fleet.setFault({ cloud: 'gcp' }, { kind: 'refuse' });
    broadcast('send:cosmos1alice:1');
    broadcast('send:cosmos1bob:2');
    const withTwo = s.chain.clock.advance();
    const empty = s.chain.clock.advance();
    broadcast('send:cosmos1alice:3');
    const withOne = s.chain.clock.advance();
    // More than one tx_search page (100 at most).
    const carol = Array.from({ length: 130 }, (_, i) => `send:cosmos1carol:${i + 1}`);
    for (const text of carol) broadcast(text);
    const paged = s.chain.clock.advance();
    await sleep(300);
    await s.fleet.setFault({ cloud: 'aws' }, { kind: 'none' });
    await s.fleet.setFault({ cloud: 'gcp' }, { kind: 'none' });
    for (const ws of s.sockets.values()) ws.setMode('ok');
    await advance(s, 2);

    const top = s.chain.height;
    await waitFor(() => heightsOf(c, 1).includes(top), 15_000, `height ${top}`);
    const heights = heightsOf(c, 1);
    expect(new Set(heights).size).toBe(heights.length);
    expect(contiguous(heights)).toBe(true);
    expect(heights).toEqual(expect.arrayContaining([withTwo, empty, withOne, paged]));
    // Each transaction once, in block order, with its result's events (the recipient query matched).
    const txs = (id: number) =>
      c.events(id).map((e) => {
        const { height, index, tx } = e.data.value.TxResult;
        return [Number(height), index, Buffer.from(tx, 'base64').toString()];
      });
    expect(txs(2)).toEqual([
      [withTwo, 0, 'send:cosmos1alice:1'],
      [withTwo, 1, 'send:cosmos1bob:2'],
      [withOne, 0, 'send:cosmos1alice:3'],
      ...carol.map((text, i) => [paged, i, text]),
    ]);
    expect(txs(3)).toEqual([
      [withTwo, 0, 'send:cosmos1alice:1'],
      [withOne, 0, 'send:cosmos1alice:3'],
    ]);
    expect(c.events(2).every((e) => e.events['tx.height']?.[0] === e.data.value.TxResult.height)).toBe(true);
    // The rebuilt NewBlock carries the transactions' results.
    const rebuilt = c.events(1).find((e) => Number(e.data.value.block.header.height) === withTwo);
    expect(rebuilt?.data.value.result_finalize_block.tx_results).toHaveLength(2);
    expect(c.closes).toBe(0);
    const metrics = parseProm(await (await fetch(`${s.balancer.url}/metrics`)).text());
    expect(
      total(metrics, 'switchyard_subscription_feed_events_total', {
        chain: 'cosmoshub',
        event: 'backfilled_block',
      }),
    ).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('CosmJS Comet38Client: subscribeNewBlock and subscribeTx across a failover', async () => {
    setup = await startCometSetup();
    const s = setup;
    comet = await Comet38Client.connect(`${s.balancer.wsUrl}/cosmoshub`);
    const blocks: number[] = [];
    const txs: { height: number; text: string }[] = [];
    const errors: unknown[] = [];
    comet.subscribeNewBlock().subscribe({
      next: (b) => blocks.push(b.header.height),
      error: (e) => errors.push(e),
    });
    comet.subscribeTx("transfer.recipient='cosmos1alice'").subscribe({
      next: (t) => txs.push({ height: t.height, text: Buffer.from(t.tx).toString() }),
      error: (e) => errors.push(e),
    });
    await waitFor(() => s.balancer.server.websocket.familyStatus('cosmoshub')?.subscriptions.Tx === 1);
    await advance(s, 2);
    await waitFor(() => blocks.length > 0, 5000, 'first block');
    const send = async (text: string) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'broadcast_tx_sync',
        params: { tx: sendTx(text) },
      });
      await postRaw(`${s.balancer.url}/cosmoshub`, body, { 'content-type': 'application/json' });
    };
    await send('send:cosmos1alice:1');
    await send('send:cosmos1bob:1');
    await advance(s, 2);
    // The failover: the feeding sockets of one region dropped and refused, the other one hung.
    s.sockets.get('a1')!.setMode('refuse');
    s.sockets.get('a2')!.setMode('refuse');
    s.sockets.get('g1')!.setMode('hang');
    await send('send:cosmos1alice:2');
    await advance(s, 6, 100);
    await send('send:cosmos1alice:3');
    for (const ws of s.sockets.values()) ws.setMode('ok');
    await advance(s, 3);

    const top = s.chain.height;
    await waitFor(() => blocks.includes(top), 15_000, `height ${top}`);
    await waitFor(() => txs.length >= 3, 5000, 'three transfers');
    expect(errors).toEqual([]);
    expect(new Set(blocks).size).toBe(blocks.length);
    expect(contiguous(blocks)).toBe(true);
    expect(txs.map((t) => t.text)).toEqual([
      'send:cosmos1alice:1',
      'send:cosmos1alice:2',
      'send:cosmos1alice:3',
    ]);
    expect(txs.map((t) => t.height)).toEqual([...txs.map((t) => t.height)].sort((a, b) => a - b));
  }, 60_000);
});
