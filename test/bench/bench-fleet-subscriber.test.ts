// The benchmark's reconnecting subscriber against fake providers: it re-subscribes after a drop, and
// an endpoint without WebSocket (as Switchyard was before its endpoint) is recorded, not a crash.

import { afterEach, describe, expect, it } from 'vitest';
import { Subscriber } from '../../bench/subscriptions/subscriber.js';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

describe('Subscriber', () => {
  const open: { p: FakeProvider; s: Subscriber }[] = [];
  afterEach(async () => {
    for (const { p, s } of open.splice(0)) {
      s.stop();
      await p.close();
    }
  });

  it('receives heads and logs, and re-subscribes on a new connection after a drop', async () => {
    const chain = new ChainSim({ chainId: 1, startBlock: 10, logsPerBlock: 2 });
    const p = await startFakeProvider({ name: 'p', chain, ws: true });
    const s = new Subscriber({
      url: p.wsUrl!,
      logsFilter: {},
      reconnectDelayMs: 20,
      subscribeTimeoutMs: 1000,
    });
    open.push({ p, s });
    s.start();
    await until(() => s.record.subscriptionIds.length === 2);
    chain.advance(1);
    await until(() => s.record.heads.length === 1 && s.record.logs.length === 2);
    expect(s.record.heads[0]).toMatchObject({ number: 11, hash: chain.blockHash(11) });
    p.dropWebSockets();
    await until(() => s.record.subscriptionIds.length === 4);
    chain.advance(1);
    await until(() => s.record.heads.length === 2);
    expect(s.record).toMatchObject({ connections: 2, closes: 1, failedAttempts: 0 });
  });

  it('records an endpoint that refuses WebSocket upgrades as failed attempts', async () => {
    const chain = new ChainSim({ chainId: 1 });
    const p = await startFakeProvider({ name: 'http-only', chain });
    const s = new Subscriber({
      url: `ws://127.0.0.1:${p.port}/ethereum`,
      logsFilter: {},
      reconnectDelayMs: 20,
      subscribeTimeoutMs: 500,
    });
    open.push({ p, s });
    s.start();
    await until(() => s.record.failedAttempts >= 2);
    s.stop();
    expect(s.record.connections).toBe(0);
    expect(s.record.lastFailure).toBeTruthy();
  });
});
