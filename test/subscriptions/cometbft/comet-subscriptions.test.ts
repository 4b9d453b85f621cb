// CometBFT subscriptions through Switchyard on real sockets, against fake 0.38 nodes: the frames a
// client gets (the subscribe request's id, query, data.type/value, events), queries with AND
// conditions evaluated in Switchyard, one upstream subscription per node whatever the clients ask,
// errors with standard codes and the catalogue name in `data`, and the paths.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../../bench/anvil/chain-front.js';
import { buildConfig } from '../../../src/config/config.js';
import { postRaw } from '../../helpers/balancer.js';
import { type CometSetup, heightsOf, RawClient, sendTx, startCometSetup } from '../../helpers/comet-fleet.js';

let setup: CometSetup | undefined;
let client: RawClient | undefined;

afterEach(async () => {
  client?.ws.terminate();
  await setup?.close();
  setup = undefined;
  client = undefined;
});

async function broadcast(s: CometSetup, text: string): Promise<void> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'broadcast_tx_sync',
    params: { tx: sendTx(text) },
  });
  const res = await postRaw(`${s.balancer.url}/cosmoshub`, body, { 'content-type': 'application/json' });
  expect(JSON.parse(res.text).result.code).toBe(0);
}

describe('CometBFT subscriptions', () => {
  it('sends 0.38 event frames under the subscribe id, evaluates AND queries, and asks each node once', async () => {
    setup = await startCometSetup();
    const s = setup;
    client = await RawClient.open(`${s.balancer.wsUrl}/cosmoshub/websocket`);
    const c = client;
    expect((await c.call(7, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    expect((await c.call('h', 'subscribe', { query: "tm.event = 'NewBlockHeader'" })).result).toEqual({});
    const aliceQuery = "tm.event='Tx' AND transfer.recipient='cosmos1alice' AND transfer.amount>=5";
    expect((await c.call(9, 'subscribe', [aliceQuery])).result).toEqual({});
    expect(
      (await c.call(10, 'subscribe', { query: "mint.amount EXISTS AND tm.event='NewBlock'" })).result,
    ).toEqual({});
    // The feed starts at the first height it sees.
    await waitFor(
      () =>
        s.balancer.server.websocket.familyStatus('cosmoshub')?.sources.some((x) => x.transport === 'ws') ===
        true,
    );
    s.fleet.clock.advance();
    await waitFor(() => heightsOf(c, 7).includes(s.chain.height), 5000, 'first NewBlock');
    const start = heightsOf(c, 7)[0]!;
    const txHeight = s.chain.height + 1;
    await broadcast(s, 'send:cosmos1alice:7');
    await broadcast(s, 'send:cosmos1bob:9');
    await broadcast(s, 'send:cosmos1alice:2');
    s.fleet.clock.advance();
    s.fleet.clock.advance();
    const top = s.chain.height;
    await waitFor(
      () => heightsOf(c, 7).includes(top) && heightsOf(c, 'h').includes(top),
      5000,
      'every height',
    );

    const every = Array.from({ length: top - start + 1 }, (_, i) => start + i);
    expect(heightsOf(c, 7)).toEqual(every);
    // Later subscriptions start later (a subscription gets what happens after it is made).
    for (const id of ['h', 10]) {
      const got = heightsOf(c, id);
      expect(got.length).toBeGreaterThanOrEqual(3);
      expect(got).toEqual(every.slice(-got.length));
    }
    const block = c.events(7).find((e) => Number(e.data.value.block.header.height) === txHeight)!;
    expect(block.query).toBe("tm.event='NewBlock'");
    expect(block.data.type).toBe('tendermint/event/NewBlock');
    expect(Object.keys(block.data.value)).toEqual(['block', 'block_id', 'result_finalize_block']);
    expect(block.data.value.block.data.txs).toHaveLength(3);
    expect(block.data.value.result_finalize_block.tx_results).toHaveLength(3);
    expect(block.events['tm.event']).toEqual(['NewBlock']);
    expect(block.events['mint.amount']).toHaveLength(1);
    expect(c.events('h')[0]!.data.type).toBe('tendermint/event/NewBlockHeader');
    expect(Object.keys(c.events('h')[0]!.data.value)).toEqual(['header']);

    // Only alice's transfer of at least 5 matches all three conditions.
    const txs = c.events(9);
    expect(txs).toHaveLength(1);
    const tx = txs[0]!;
    expect(tx.query).toBe(aliceQuery);
    expect(tx.data.type).toBe('tendermint/event/Tx');
    expect(tx.data.value.TxResult.height).toBe(String(txHeight));
    expect(Buffer.from(tx.data.value.TxResult.tx, 'base64').toString()).toBe('send:cosmos1alice:7');
    expect(tx.events['tm.event']).toEqual(['Tx']);
    expect(tx.events['tx.height']).toEqual([String(txHeight)]);
    expect(tx.events['tx.hash']![0]).toMatch(/^[0-9A-F]{64}$/);
    expect(tx.events['transfer.recipient']).toEqual(['cosmos1alice']);

    // Four client queries, one upstream subscription held per node.
    for (const ws of s.sockets.values()) expect(ws.activeSubscriptions).toBe(1);

    // unsubscribe by query: no more events under that id; unsubscribe_all ends the rest.
    expect((await c.call(7, 'unsubscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    const err = (await c.call(11, 'unsubscribe', { query: "tm.event='NewBlock'" })).error as Record<
      string,
      unknown
    >;
    expect(err).toMatchObject({ code: -32602, data: 'INVALID_PARAMS' });
    expect(String(err.message)).toContain('subscription not found');
    s.fleet.clock.advance();
    await waitFor(() => heightsOf(c, 'h').includes(top + 1));
    expect(heightsOf(c, 7)).toEqual(every);
    expect((await c.call(12, 'unsubscribe_all', {})).result).toEqual({});
    await waitFor(
      () => s.balancer.server.websocket.familyStatus('cosmoshub')?.active === false,
      2000,
      'feed idle',
    );
  });

  it('refuses bad queries, duplicates and too many subscriptions with standard codes', async () => {
    setup = await startCometSetup({
      extra: { subscriptions: { pollInterval: '50ms', maxPerConnection: 2 } },
    });
    client = await RawClient.open(`${setup.balancer.wsUrl}/cosmoshub/websocket`);
    const c = client;
    const bad = (await c.call(1, 'subscribe', { query: "tm.event='NewBlock' AND" })).error;
    expect(bad).toMatchObject({ code: -32602, data: 'INVALID_PARAMS' });
    const vote = (await c.call(2, 'subscribe', { query: "tm.event='Vote'" })).error as { message: string };
    expect(vote.message).toContain("not 'Vote'");
    const none = (await c.call(3, 'subscribe', {})).error;
    expect(none).toMatchObject({ code: -32602, data: 'INVALID_PARAMS' });
    expect((await c.call(4, 'subscribe', { query: "tm.event='Tx'" })).result).toEqual({});
    const dup = (await c.call(5, 'subscribe', { query: "tm.event='Tx'" })).error as { message: string };
    expect(dup.message).toContain('already subscribed');
    expect((await c.call(6, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    const limit = (await c.call(7, 'subscribe', { query: "tm.event='NewBlockHeader'" })).error;
    expect(limit).toMatchObject({ code: -32603, data: 'SUBSCRIPTION_LIMIT' });
    // Other calls on the socket are ordinary reads, through the dispatcher.
    const status = (await c.call(8, 'status', {})).result as { node_info: { network: string } };
    expect(status.node_info.network).toBe(setup.fleet.identity);
    // Over HTTP, subscribe is refused rather than opened upstream.
    const http = await postRaw(
      `${setup.balancer.url}/cosmoshub`,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { query: "tm.event='Tx'" } }),
      { 'content-type': 'application/json' },
    );
    expect(JSON.parse(http.text).error).toMatchObject({ code: -32601, data: 'NOTIFICATIONS_UNSUPPORTED' });
  });

  it('serves /<chain>, /<chain>/websocket and /websocket, and 404 for a chain that is not there', async () => {
    setup = await startCometSetup({
      extra: {
        subscriptions: { pollInterval: '50ms' },
      },
    });
    for (const path of ['/cosmoshub', '/cosmoshub/websocket', '/websocket', '/cosmoshub/websocket/']) {
      const c = await RawClient.open(`${setup.balancer.wsUrl}${path}`);
      expect((await c.call(1, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
      c.ws.terminate();
    }
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${setup!.balancer.wsUrl}/nowhere/websocket`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
  });

  it('with API keys: /<chain>/<key>/websocket, or the key header on /<chain>/websocket', async () => {
    setup = await startCometSetup({
      extra: { security: { apiKeys: [{ name: 'app', key: 'k-123' }] } },
    });
    const base = setup.balancer.wsUrl;
    const keyed = await RawClient.open(`${base}/cosmoshub/k-123/websocket`);
    expect((await keyed.call(1, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    keyed.ws.terminate();
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base}/cosmoshub/websocket`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(refused).toBe(401);
    const header = new WebSocket(`${base}/cosmoshub/websocket`, { headers: { 'x-api-key': 'k-123' } });
    await new Promise<void>((resolve, reject) => {
      header.once('open', () => resolve());
      header.once('error', reject);
    });
    header.terminate();
  });

  it('a reload keeps the connection and its heights; a reload without the chain closes with 1012', async () => {
    setup = await startCometSetup();
    const s = setup;
    client = await RawClient.open(`${s.balancer.wsUrl}/cosmoshub/websocket`);
    const c = client;
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    expect((await c.call(1, 'subscribe', { query: "tm.event='NewBlock'" })).result).toEqual({});
    s.fleet.clock.advance();
    await waitFor(() => heightsOf(c, 1).includes(s.chain.height), 5000, 'a height before the reload');
    await s.balancer.server.reload(buildConfig({ ...s.raw, routing: { maxAttempts: 3 } }, 'test.yaml'));
    s.fleet.clock.advance();
    s.fleet.clock.advance();
    const top = s.chain.height;
    await waitFor(() => heightsOf(c, 1).includes(top), 5000, 'heights after the reload');
    const heights = heightsOf(c, 1);
    expect(heights).toEqual(Array.from({ length: heights.length }, (_, i) => heights[0]! + i));
    const renamed = s.raw.chains.map((ch) => ({ ...ch, name: 'cosmoshub-renamed' }));
    await s.balancer.server.reload(buildConfig({ ...s.raw, chains: renamed }, 'test.yaml'));
    expect(await closed).toBe(1012);
  });

  it('a drain closes CometBFT clients with 1001 and releases every upstream subscription', async () => {
    setup = await startCometSetup();
    const s = setup;
    client = await RawClient.open(`${s.balancer.wsUrl}/cosmoshub/websocket`);
    const closed = new Promise<number>((resolve) => client!.ws.on('close', (code) => resolve(code)));
    expect((await client.call(1, 'subscribe', { query: "tm.event='Tx'" })).result).toEqual({});
    await waitFor(
      () => [...s.sockets.values()].every((w) => w.activeSubscriptions === 1),
      5000,
      'upstream feeds',
    );
    await s.balancer.close();
    expect(await closed).toBe(1001);
    await waitFor(
      () => [...s.sockets.values()].every((w) => w.connections === 0),
      5000,
      'upstream sockets closed',
    );
  });

  it('rejects an API key named "websocket" in config, naming the key', () => {
    const raw = {
      security: { apiKeys: [{ name: 'k', key: 'websocket' }] },
      chains: [
        {
          name: 'c',
          family: 'cometbft',
          network: 'n',
          upstreams: [{ name: 'u', url: 'http://127.0.0.1:1' }],
        },
      ],
    };
    expect(() => buildConfig(raw, 'test.yaml')).toThrow(/apiKeys.*key.*"websocket" is reserved/s);
  });
});
