// The WebSocket side of a fake CometBFT node (v0.38 frames, rpc/core/events.go): `/websocket` on its
// own port, every JSON-RPC call of the node, and `subscribe` / `unsubscribe` / `unsubscribe_all` on
// tm.event queries. Each subscription's events are JSON-RPC responses under the subscribe request's
// id, `{query, data: {type, value}, events}`, published when the shared chain advances: NewBlock,
// NewBlockHeader, then each Tx. Modes shape an outage as a client sees it: `hang` answers and
// publishes nothing (the socket stays open), `refuse` cuts every socket and refuses new ones.
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CometChain, CometNode } from './fake-cometbft.js';
import { type AbciEvent, keysOf, txHashOf } from './fake-cometbft-tx.js';
import { envelope2 } from './family-wire.js';

export type CometWsMode = 'ok' | 'hang' | 'refuse';

/** A node's default (max_subscriptions_per_client). */
const MAX_SUBSCRIPTIONS_PER_CLIENT = 5;
const EVENT_TYPE = /^tm\.event\s*=\s*'(\w+)'$/;

interface Sub {
  idJson: string;
  query: string;
  type: string;
}

export class FakeCometWs {
  mode: CometWsMode = 'ok';
  readonly url: string;
  private readonly subs = new Map<WebSocket, Sub[]>();
  private closed = false;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly node: CometNode,
    chain: CometChain,
  ) {
    this.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/websocket`;
    wss.on('connection', (ws) => this.accept(ws));
    chain.clock.onAdvance((height) => this.publish(height));
  }

  static start(node: CometNode, chain: CometChain): Promise<FakeCometWs> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/websocket' });
      wss.once('error', reject);
      wss.once('listening', () => resolve(new FakeCometWs(wss, node, chain)));
    });
  }

  get connections(): number {
    return this.subs.size;
  }

  /** Subscriptions held now, over every connection. */
  get activeSubscriptions(): number {
    let n = 0;
    for (const list of this.subs.values()) n += list.length;
    return n;
  }

  setMode(mode: CometWsMode): void {
    this.mode = mode;
    if (mode === 'refuse') this.drop();
  }

  /** Ends every socket abruptly (no close frame). */
  drop(): void {
    for (const ws of this.subs.keys()) ws.terminate();
    this.subs.clear();
  }

  close(): Promise<void> {
    this.closed = true;
    this.drop();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    if (this.mode === 'refuse' || this.closed) {
      ws.terminate();
      return;
    }
    this.subs.set(ws, []);
    ws.on('close', () => this.subs.delete(ws));
    ws.on('error', () => {});
    ws.on('message', (data) => {
      if (this.mode !== 'ok') return;
      const reply = this.answer(ws, data.toString());
      if (reply !== undefined) ws.send(reply);
    });
  }

  private answer(ws: WebSocket, text: string): string | undefined {
    let req: { id?: unknown; method?: unknown; params?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return envelope2('null', { error: { code: -32700, message: 'Parse error' } });
    }
    const idJson = req.id === undefined ? '""' : JSON.stringify(req.id);
    const params = (req.params ?? {}) as { query?: unknown };
    const list = this.subs.get(ws) ?? [];
    if (req.method === 'subscribe') {
      const query = typeof params.query === 'string' ? params.query : '';
      const m = EVENT_TYPE.exec(query);
      if (!m)
        return envelope2(idJson, {
          error: { code: -32603, message: 'Internal error', data: 'failed to parse query' },
        });
      if (list.length >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
        const data = `max_subscriptions_per_client ${MAX_SUBSCRIPTIONS_PER_CLIENT} reached`;
        return envelope2(idJson, { error: { code: -32603, message: 'Internal error', data } });
      }
      if (list.some((s) => s.query === query))
        return envelope2(idJson, {
          error: { code: -32603, message: 'Internal error', data: 'already subscribed' },
        });
      list.push({ idJson, query, type: m[1]! });
      return envelope2(idJson, { result: {} });
    }
    if (req.method === 'unsubscribe' || req.method === 'unsubscribe_all') {
      const keep = req.method === 'unsubscribe' ? list.filter((s) => s.query !== params.query) : [];
      if (keep.length === list.length)
        return envelope2(idJson, {
          error: { code: -32603, message: 'Internal error', data: 'subscription not found' },
        });
      this.subs.set(ws, keep);
      return envelope2(idJson, { result: {} });
    }
    if (typeof req.method !== 'string')
      return envelope2(idJson, { error: { code: -32600, message: 'Invalid request' } });
    return envelope2(idJson, this.node.call(req.method, req.params ?? {}));
  }

  /** What a node publishes at a committed height, in its order. */
  private eventsAt(height: number): { type: string; value: unknown; events: Record<string, string[]> }[] {
    const value = this.node.newBlockValue(height) as {
      block: { header: unknown; data: { txs: string[] } };
      result_finalize_block: { events: AbciEvent[]; tx_results?: { events: AbciEvent[] }[] };
    };
    const finalize = value.result_finalize_block;
    const out = [
      { type: 'NewBlock', value, events: keysOf(finalize.events, { 'tm.event': 'NewBlock' }) },
      {
        type: 'NewBlockHeader',
        value: { header: value.block.header },
        events: { 'tm.event': ['NewBlockHeader'] },
      },
    ];
    value.block.data.txs.forEach((tx, index) => {
      const result = finalize.tx_results?.[index] ?? { events: [] };
      const extra = { 'tm.event': 'Tx', 'tx.hash': txHashOf(tx), 'tx.height': String(height) };
      out.push({
        type: 'Tx',
        value: { TxResult: { height: String(height), index, tx, result } } as never,
        events: keysOf(result.events, extra),
      });
    });
    return out;
  }

  private publish(height: number): void {
    if (this.closed || this.mode !== 'ok' || this.subs.size === 0) return;
    const events = this.eventsAt(height);
    for (const [ws, list] of this.subs) {
      for (const e of events) {
        for (const sub of list) {
          if (sub.type !== e.type) continue;
          const result = {
            query: sub.query,
            data: { type: `tendermint/event/${e.type}`, value: e.value },
            events: e.events,
          };
          ws.send(`{"jsonrpc":"2.0","id":${sub.idJson},"result":${JSON.stringify(result)}}`);
        }
      }
    }
  }
}
