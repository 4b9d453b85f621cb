// Solana PubSub through Switchyard on real sockets: agave's frames (integer ids, xNotification,
// context.slot), fan-out of identical subscriptions to one upstream subscription per node, and what each
// subscription promises across feeds dropped, hung silently, a region down and every feed down.
import { afterEach, describe, expect, it } from 'vitest';
import type { SolanaCluster } from '../../../src/simulation/fake-solana.js';
import { getJson, postRaw } from '../../helpers/balancer.js';
import { sleep } from '../../helpers/ops.js';
import { memoTransaction } from '../../helpers/solana.js';
import { RawClient, type SolanaSetup, slotGaps, startSolanaSetup } from '../../helpers/solana-pubsub.js';

const ACCOUNT = 'So11111111111111111111111111111111111111112';
const MEMO = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

let setup: SolanaSetup | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
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
const names = ['aws-a', 'aws-b', 'gcp-a'];
const slotsOf = (c: RawClient, id: number) => c.of(id).map((r) => (r as { slot: number }).slot);

async function send(s: SolanaSetup, seed: number): Promise<string> {
  const { wire, signature } = await memoTransaction(s.fleet.identity, seed, 1);
  const body = { jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [wire, { encoding: 'base64' }] };
  const res = JSON.parse((await postRaw(`${s.balancer.url}/sol`, JSON.stringify(body))).text) as {
    result: string;
  };
  expect(res.result).toBe(signature);
  return signature;
}

describe('Solana PubSub frames', () => {
  it('slotSubscribe: integer ids per connection, agave slotNotification, unsubscribe; errors use standard codes', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const id = await c.subscribe('slotSubscribe');
    expect(id).toBe(0);
    expect(await c.subscribe('rootSubscribe')).toBe(1);
    await c.until(() => c.of(id).length >= 5);
    const first = c.of(id)[0] as { parent: number; root: number; slot: number };
    expect(Object.keys(first).sort()).toEqual(['parent', 'root', 'slot']);
    expect(c.notifications[0]).toMatchObject({
      jsonrpc: '2.0',
      method: expect.stringMatching(/Notification$/),
    });
    expect(await c.request('slotUnsubscribe', [id])).toMatchObject({ result: true });
    const again = await c.request('slotUnsubscribe', [id]);
    expect(again.error).toMatchObject({ code: -32602, data: 'INVALID_PARAMS' });
    const bad = await c.request('accountSubscribe', ['not-a-key']);
    expect(bad.error).toMatchObject({ code: -32602, data: 'INVALID_PARAMS' });
    // A root subscription's id is not a slot subscription's.
    expect((await c.request('slotUnsubscribe', [1])).error?.code).toBe(-32602);
    // Over HTTP there is no subscription: "method not found", as agave's HTTP port says.
    const http = JSON.parse(
      (await postRaw(`${setup.balancer.url}/sol`, '{"jsonrpc":"2.0","id":1,"method":"slotSubscribe"}')).text,
    ) as { error: { code: number } };
    expect(http.error.code).toBe(-32601);
  });

  it('identical subscriptions share one upstream subscription per node (fan-out), and the limit is standard', async () => {
    setup = await startSolanaSetup({ subscriptions: { maxPerConnection: 2 } });
    const a = await open(setup);
    const b = await open(setup);
    const ida = await a.subscribe('accountSubscribe', [
      ACCOUNT,
      { commitment: 'processed', encoding: 'base64' },
    ]);
    const idb = await b.subscribe('accountSubscribe', [
      ACCOUNT,
      { commitment: 'processed', encoding: 'base64' },
    ]);
    await a.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('account') === 1));
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 42 });
    await a.until(() => a.of(ida).length === 1 && b.of(idb).length === 1);
    await sleep(300);
    expect(a.of(ida)).toHaveLength(1);
    expect(a.of(ida)[0]).toMatchObject({ context: { slot: expect.any(Number) }, value: { lamports: 42 } });
    for (const n of names) expect(setup.fleet.pubsub(n).subscribeCalls.get('accountSubscribe')).toBe(1);
    await a.subscribe('slotSubscribe');
    const over = await a.request('rootSubscribe');
    expect(over.error).toMatchObject({ code: -32603, data: 'SUBSCRIPTION_LIMIT' });
    // The last client out releases the upstream subscriptions.
    a.close();
    b.close();
    await a.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('account') === 0));
  });
});

describe('Solana sockets answer with standard codes only', () => {
  it('a frame over the API key rate limit: -32603 with RATE_LIMITED in data, not -32054', async () => {
    const key = 'solana-key-123456';
    setup = await startSolanaSetup({
      config: { security: { apiKeys: [{ name: 'team', key, ratePerSecond: 1, burst: 1 }] } },
    });
    const c = await RawClient.open(`${setup.balancer.wsUrl}/sol/${key}`);
    clients.push(c);
    const answers = await Promise.all([
      c.request('slotSubscribe'),
      c.request('slotSubscribe'),
      c.request('slotSubscribe'),
    ]);
    const limited = answers.filter((a) => a.error);
    expect(limited.length).toBeGreaterThan(0);
    for (const a of limited) expect(a.error).toMatchObject({ code: -32603, data: 'RATE_LIMITED' });
  });
});

describe('Solana subscriptions and the server lifecycle', () => {
  it('drain (SIGTERM): clients are closed with 1001 and every upstream PubSub socket is released', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    await c.subscribe('accountSubscribe', [ACCOUNT, { commitment: 'processed' }]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).connections === 1));
    const closed = new Promise<number>((resolve) => c.socket.once('close', (code) => resolve(code)));
    await setup.balancer.server.shutdown(1000);
    expect(await closed).toBe(1001);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).connections === 0));
  });
});

describe('Solana subscriptions across failover', () => {
  it('slots: one strictly increasing stream with no gap while feeds drop and hang one after another', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const id = await c.subscribe('slotSubscribe');
    await sleep(400);
    setup.fleet.pubsub('aws-a').drop();
    await sleep(400);
    await setup.fleet.pubsub('aws-b').setMode('hang');
    await sleep(1500);
    const slots = slotsOf(c, id);
    expect(slots.length).toBeGreaterThan(15);
    for (let i = 1; i < slots.length; i++) expect(slots[i]).toBeGreaterThan(slots[i - 1]!);
    expect(slotGaps(slots, (s) => cluster(setup!).isSkipped(s))).toEqual([]);
    // The hung feed is evidence against its upstream: a stall, with the reason on /status.
    const status = (await getJson(`${setup.balancer.url}/status`)).json as {
      chains: {
        upstreams: { name: string; lastError: string | null }[];
        familyFeed: { sources: unknown[] };
      }[];
    };
    const awsB = status.chains[0]!.upstreams.find((u) => u.name === 'aws-b');
    expect(awsB?.lastError).toMatch(/subscription feed/);
    expect(status.chains[0]!.familyFeed.sources).toHaveLength(3);
  });

  it('every feed down, then back: slots keep coming (HTTP polling), strictly increasing', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const id = await c.subscribe('slotSubscribe');
    await sleep(300);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('down')));
    const before = slotsOf(c, id).length;
    await sleep(1200);
    expect(slotsOf(c, id).length).toBeGreaterThan(before + 3);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('ok')));
    await c.until(() => names.some((n) => setup!.fleet.pubsub(n).connections > 0), 8000);
    await sleep(800);
    const slots = slotsOf(c, id);
    for (let i = 1; i < slots.length; i++) expect(slots[i]).toBeGreaterThan(slots[i - 1]!);
  });

  it('account: the final state reaches the client when the write happened while every feed was down; each (slot, state) once', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const id = await c.subscribe('accountSubscribe', [
      ACCOUNT,
      { commitment: 'confirmed', encoding: 'base64' },
    ]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('account') === 1));
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 1 });
    await c.until(() => c.of(id).length === 1);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('down')));
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 2 });
    await c.until(() => c.of(id).length === 2, 8000);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('ok')));
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('account') === 1), 8000);
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 3 });
    await c.until(() => c.of(id).length === 3, 8000);
    await sleep(500);
    const seen = c.of(id) as { context: { slot: number }; value: { lamports: number } }[];
    expect(seen.map((n) => n.value.lamports)).toEqual([1, 2, 3]);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.context.slot).toBeGreaterThanOrEqual(seen[i - 1]!.context.slot);
  });

  it('signature: exactly one notification when the node holding it hangs, and for one processed before the subscription', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    // Processed before anyone subscribed: no node will ever notify it; Switchyard reads its status.
    const early = await send(setup, 11);
    await sleep(200);
    const idEarly = await c.subscribe('signatureSubscribe', [early, { commitment: 'confirmed' }]);
    // Subscribed first, then every feed hangs before it lands.
    const { signature: late } = await memoTransaction(setup.fleet.identity, 12, 1);
    const idLate = await c.subscribe('signatureSubscribe', [
      late,
      { commitment: 'confirmed', enableReceivedNotification: true },
    ]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('signature') >= 1));
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('hang')));
    await send(setup, 12);
    await c.until(() => c.of(idEarly).length === 1 && c.of(idLate).length >= 1, 8000);
    await sleep(800);
    expect(c.of(idEarly)).toHaveLength(1);
    expect(c.of(idEarly)[0]).toMatchObject({ context: { slot: expect.any(Number) }, value: { err: null } });
    const lateNotes = c.of(idLate) as { value: unknown }[];
    expect(lateNotes.filter((n) => typeof n.value === 'object')).toHaveLength(1);
    expect(lateNotes.filter((n) => n.value === 'receivedSignature').length).toBeLessThanOrEqual(1);
    // The subscription ended with its notification, as agave's does.
    expect((await c.request('signatureUnsubscribe', [idEarly])).error?.code).toBe(-32602);
  });

  it('logs (mentions): transactions of slots missed while every feed was down are backfilled from blocks, each once', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const id = await c.subscribe('logsSubscribe', [{ mentions: [MEMO] }, { commitment: 'confirmed' }]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('logs') === 1));
    const first = await send(setup, 21);
    await c.until(() => c.of(id).length === 1, 5000);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('down')));
    const second = await send(setup, 22);
    await c.until(() => c.of(id).length === 2, 8000);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('ok')));
    await sleep(1500);
    const seen = c.of(id) as { context: { slot: number }; value: { signature: string; logs: string[] } }[];
    expect(seen.map((n) => n.value.signature)).toEqual([first, second]);
    expect(seen[1]!.value.logs[0]).toContain(MEMO);
  });

  it('program: accounts of the program once each; one written while every feed was down comes from the re-read', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const rootId = await c.subscribe('rootSubscribe');
    const id = await c.subscribe('programSubscribe', [MEMO, { commitment: 'processed', encoding: 'base64' }]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('program') === 1));
    const other = '11111111111111111111111111111112';
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 5, owner: MEMO });
    await c.until(() => c.of(id).length === 1);
    await Promise.all(names.map((n) => setup!.fleet.pubsub(n).setMode('down')));
    cluster(setup).ledger.write(other, cluster(setup).slot, { lamports: 6, owner: MEMO });
    await c.until(() => c.of(id).length === 2, 8000);
    await sleep(500);
    const seen = c.of(id) as {
      context: { slot: number };
      value: { pubkey: string; account: { lamports: number } };
    }[];
    expect(seen.map((n) => [n.value.pubkey, n.value.account.lamports])).toEqual([
      [ACCOUNT, 5],
      [other, 6],
    ]);
    await c.until(() => c.of(rootId).length > 3);
    const roots = c.of(rootId) as number[];
    for (let i = 1; i < roots.length; i++) expect(roots[i]).toBeGreaterThan(roots[i - 1]!);
  });

  it('a region down (HTTP and PubSub): accounts and slots go on from the other region', async () => {
    setup = await startSolanaSetup();
    const c = await open(setup);
    const slotId = await c.subscribe('slotSubscribe');
    const id = await c.subscribe('accountSubscribe', [
      ACCOUNT,
      { commitment: 'processed', encoding: 'base64' },
    ]);
    await c.until(() => names.every((n) => setup!.fleet.pubsub(n).subscriptionCount('account') === 1));
    await setup.fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'refuse' });
    await Promise.all(['aws-a', 'aws-b'].map((n) => setup!.fleet.pubsub(n).setMode('down')));
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 7 });
    await c.until(() => c.of(id).length === 1, 5000);
    await sleep(600);
    expect(c.of(id)).toHaveLength(1);
    const slots = slotsOf(c, slotId);
    expect(slotGaps(slots, (s) => cluster(setup!).isSkipped(s))).toEqual([]);
  });
});
