// The fake providers' WebSocket side on real sockets: geth-shaped answers and notifications, reorgs as
// geth announces them, and the faults as a WebSocket client would live them. Switchyard's subscription
// tests and the subscription benchmark trust these fakes to be the outage.

import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse } from 'yaml';
import {
  ChainSim,
  type FakeProvider,
  type Fleet,
  LOG_ADDRESSES,
  type SimLog,
  standardFleet,
  startFakeProvider,
  startFleet,
} from '../../src/simulation/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Frame {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
  params?: { subscription: string; result: unknown };
}

/** A bare WebSocket JSON-RPC client that keeps every frame it received. */
class TestSocket {
  readonly frames: Frame[] = [];
  closed = false;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => {});
  }

  static open(url: string): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('error', reject);
    });
  }

  async waitFor<T>(find: () => T | undefined, timeoutMs = 2000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = find();
      if (found !== undefined) return found;
      await sleep(5);
    }
    throw new Error('timed out');
  }

  async call(method: string, params: unknown[] = []): Promise<Frame> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.waitFor(() => this.frames.find((f) => f.id === id));
  }

  async subscribe(params: unknown[]): Promise<string> {
    const reply = await this.call('eth_subscribe', params);
    if (typeof reply.result !== 'string') throw new Error(JSON.stringify(reply));
    return reply.result;
  }

  notifications(sub: string): unknown[] {
    return this.frames.filter((f) => f.params?.subscription === sub).map((f) => f.params!.result);
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('fake provider over WebSocket', () => {
  let chain: ChainSim;
  let p: FakeProvider;
  const sockets: TestSocket[] = [];
  const open = async (url = p.wsUrl!) => {
    const s = await TestSocket.open(url);
    sockets.push(s);
    return s;
  };
  beforeEach(async () => {
    chain = new ChainSim({ chainId: 1, startBlock: 100, logsPerBlock: 3 });
    p = await startFakeProvider({ name: 'p', chain, ws: true });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await p.close();
  });

  it('is off unless asked for', async () => {
    const plain = await startFakeProvider({ name: 'plain', chain });
    try {
      expect(plain.wsUrl).toBeUndefined();
      await expect(TestSocket.open(`ws://127.0.0.1:${plain.port}/`)).rejects.toThrow();
    } finally {
      await plain.close();
    }
  });

  it('answers JSON-RPC calls, single and batch, at any path; counts them', async () => {
    expect(p.wsUrl).toBe(`ws://127.0.0.1:${p.port}/`);
    const s = await open(`${p.wsUrl}some/path`);
    expect(await s.call('eth_blockNumber')).toEqual({ jsonrpc: '2.0', id: 1, result: '0x64' });
    s.ws.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 'b', method: 'eth_nope', params: [] },
      ]),
    );
    const batch = (await s.waitFor(() => s.frames.find(Array.isArray))) as unknown as Frame[];
    expect(batch[0]).toEqual({ jsonrpc: '2.0', id: 'a', result: '0x1' });
    expect(batch[1]!.error!.code).toBe(-32601);
    s.ws.send('{"jsonrpc":');
    const parseError = await s.waitFor(() => s.frames.find((f) => f.error?.code === -32700));
    expect(parseError.id).toBeNull();
    expect(p.stats.wsCalls).toBe(3);
    expect(p.stats.wsConnections).toBe(1);
    expect(p.webSocketCount()).toBe(1);
  });

  it('newHeads: geth notification with the header (no body fields)', async () => {
    const s = await open();
    const sub = await s.subscribe(['newHeads']);
    expect(sub).toMatch(/^0x[0-9a-f]{32}$/);
    chain.advance(1);
    const frame = await s.waitFor(() => s.frames.find((f) => f.method === 'eth_subscription'));
    const block = chain.block(101)!;
    const { transactions, uncles, withdrawals, size, totalDifficulty, ...header } = block;
    expect(frame).toEqual({
      jsonrpc: '2.0',
      method: 'eth_subscription',
      params: { subscription: sub, result: header },
    });
    expect(Object.keys(frame.params!.result as object)).not.toContain('transactions');
    expect((frame.params!.result as { hash: string }).hash).toBe(chain.blockHash(101));
    expect(await s.call('eth_unsubscribe', [sub])).toMatchObject({ result: true });
    expect(await s.call('eth_unsubscribe', [sub])).toMatchObject({ result: false });
    chain.advance(1);
    await sleep(30);
    expect(s.notifications(sub)).toHaveLength(1);
  });

  it('logs: only the matching logs of each new block; bad filters and kinds are refused', async () => {
    const s = await open();
    const all = await s.subscribe(['logs', {}]);
    const one = await s.subscribe(['logs', { address: LOG_ADDRESSES[0] }]);
    chain.advance(3);
    await s.waitFor(() => (s.notifications(all).length === 9 ? true : undefined));
    expect(s.notifications(all)).toEqual(chain.canonicalLogs(101, 103));
    expect(s.notifications(one)).toEqual(
      chain.canonicalLogs(101, 103).filter((l) => l.address === LOG_ADDRESSES[0]),
    );
    expect((await s.call('eth_subscribe', ['logs', { address: 'nope' }])).error!.code).toBe(-32602);
    expect((await s.call('eth_subscribe', ['syncing2'])).error).toEqual({
      code: -32601,
      message: 'no "syncing2" subscription in eth namespace',
    });
  });

  it('reorg: newHeads announces the new head; logs sends orphaned logs removed (newest first), then new ones', async () => {
    chain.advance(4); // head 104
    const s = await open();
    const heads = await s.subscribe(['newHeads']);
    const logs = await s.subscribe(['logs', {}]);
    const orphanedLogs = chain.canonicalLogs(103, 104);
    chain.reorg(2);
    await s.waitFor(() => (s.notifications(logs).length === 12 ? true : undefined));
    expect(s.notifications(heads)).toEqual([
      expect.objectContaining({ number: '0x68', hash: chain.blockHash(104) }),
    ]);
    const got = s.notifications(logs) as SimLog[];
    const removed = [...orphanedLogs.slice(3), ...orphanedLogs.slice(0, 3)].map((l) => ({
      ...l,
      removed: true,
    }));
    expect(got.slice(0, 6)).toEqual(removed);
    expect(got.slice(6)).toEqual(chain.canonicalLogs(103, 104));
  });

  it('newPendingTransactions: hashes of transactions sent to any provider of the chain', async () => {
    const other = await startFakeProvider({ name: 'other', chain });
    try {
      const s = await open();
      const sub = await s.subscribe(['newPendingTransactions']);
      const res = await request(other.url, {
        method: 'POST',
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_sendRawTransaction',
          params: ['0xf86c01'],
        }),
      });
      const { result: hash } = (await res.body.json()) as { result: string };
      await s.waitFor(() => (s.notifications(sub).length === 1 ? true : undefined));
      expect(s.notifications(sub)).toEqual([hash]);
    } finally {
      await other.close();
    }
  });

  it('refuse: every socket ends and upgrades are refused until it clears', async () => {
    const s = await open();
    await p.setFault({ kind: 'refuse' });
    await s.waitFor(() => (s.closed ? true : undefined));
    await expect(TestSocket.open(p.wsUrl!)).rejects.toThrow(/ECONNREFUSED/);
    await p.setFault({ kind: 'none' });
    const again = await open();
    expect((await again.call('eth_blockNumber')).result).toBe('0x64');
  });

  it('hang: the socket stays open but nothing comes back, pongs included', async () => {
    const s = await open();
    const sub = await s.subscribe(['newHeads']);
    await p.setFault({ kind: 'hang' });
    let ponged = false;
    s.ws.on('pong', () => {
      ponged = true;
    });
    s.ws.ping();
    s.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'eth_blockNumber', params: [] }));
    chain.advance(1);
    await sleep(100);
    expect(s.closed).toBe(false);
    expect(ponged).toBe(false);
    expect(s.frames.find((f) => f.id === 99)).toBeUndefined();
    expect(s.notifications(sub)).toEqual([]);
    await p.setFault({ kind: 'none' });
    chain.advance(1);
    await s.waitFor(() => (s.notifications(sub).length === 1 ? true : undefined));
  });

  it('slow: answers and notifications come late, in order', async () => {
    const s = await open();
    const sub = await s.subscribe(['newHeads']);
    await p.setFault({ kind: 'slow', extraMs: 80, jitterMs: 40 });
    const t0 = performance.now();
    chain.advance(3);
    await s.waitFor(() => (s.notifications(sub).length === 3 ? true : undefined));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect((s.notifications(sub) as { number: string }[]).map((h) => h.number)).toEqual([
      '0x65',
      '0x66',
      '0x67',
    ]);
  });

  it('dropWebSockets: ends every connection abruptly, new ones are accepted', async () => {
    const a = await open();
    const b = await open();
    p.dropWebSockets();
    await a.waitFor(() => (a.closed && b.closed ? true : undefined));
    const c = await open();
    expect((await c.call('eth_chainId')).result).toBe('0x1');
    expect(p.webSocketCount()).toBe(1);
  });

  it('http_status refuses upgrades with that status; open sockets keep working', async () => {
    const s = await open();
    await p.setFault({ kind: 'http_status', status: 503 });
    await expect(TestSocket.open(p.wsUrl!)).rejects.toThrow(/503/);
    expect((await s.call('eth_chainId')).result).toBe('0x1');
  });
});

describe('fleet with WebSocket', () => {
  let fleet: Fleet;
  afterEach(async () => {
    await fleet.close();
  });

  it('enables ws for every provider or per spec, and lists ws: keys in upstreamsYaml on request', async () => {
    const specs = standardFleet().map((s, i) => ({ ...s, ws: i < 2 }));
    fleet = await startFleet({ providers: specs, logsPerBlock: 2 });
    expect(fleet.providers.map((p) => p.wsUrl !== undefined)).toEqual([true, true, false, false, false]);
    expect(fleet.chain.logsAt(fleet.chain.head)).toHaveLength(2);
    const plain = parse(fleet.upstreamsYaml()) as { chains: { upstreams: Record<string, unknown>[] }[] };
    expect(plain.chains[0]!.upstreams.some((u) => 'ws' in u)).toBe(false);
    const withWs = parse(fleet.upstreamsYaml('eth', { ws: true })) as {
      chains: { name: string; upstreams: { name: string; url: string; ws?: string }[] }[];
    };
    expect(withWs.chains[0]!.name).toBe('eth');
    const [a, , c] = withWs.chains[0]!.upstreams;
    expect(a!.ws).toBe(fleet.get('aws-use1-a').wsUrl);
    expect(c!.ws).toBeUndefined();
  });

  it('FleetOptions.ws enables all; a region refuse ends its sockets only', async () => {
    fleet = await startFleet({ providers: standardFleet(), ws: true });
    expect(fleet.providers.every((p) => p.wsUrl)).toBe(true);
    const aws = await TestSocket.open(fleet.get('aws-use1-a').wsUrl!);
    const gcp = await TestSocket.open(fleet.get('gcp-euw1-a').wsUrl!);
    try {
      await fleet.setFault({ region: 'us-east-1' }, { kind: 'refuse' });
      await aws.waitFor(() => (aws.closed ? true : undefined));
      expect(gcp.closed).toBe(false);
      expect((await gcp.call('eth_chainId')).result).toBe('0x1');
    } finally {
      aws.close();
      gcp.close();
    }
  });
});
