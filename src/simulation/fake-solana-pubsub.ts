// A fake agave PubSub endpoint for one fake Solana node, on its own port as agave's (RPC port + 1):
// slot, root, signature, account, program and logs subscriptions with agave's frames (integer ids,
// `xNotification` with {result, subscription}, `context.slot` where agave sends one), driven by the
// cluster's slots and ledger. agave's rules kept: a signature is notified once, at the commitment, and
// never when it was processed before the subscription came; signature subscriptions end themselves.
// Modes show an outage as a client sees it: 'down' closes the port and every socket, 'hang' keeps the
// sockets open and says nothing (no answers, notifications or pongs); drop() cuts every socket once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { makeRoom } from './bounded-map.js';
import { accountJson, type SolanaCluster, type SolanaNode } from './fake-solana.js';
import type { LedgerTransaction } from './solana-ledger.js';

export type PubsubMode = 'ok' | 'hang' | 'down';

type Sub =
  | { kind: 'slot' | 'root' }
  | { kind: 'signature'; signature: string; commitment: string; received: boolean; late: boolean }
  | { kind: 'account'; pubkey: string; commitment: string; lastWrite: number }
  | { kind: 'program'; program: string; commitment: string; sent: Map<string, number> }
  | { kind: 'logs'; mentions: string | undefined; commitment: string; upTo: number };

const MAX_SUBS_PER_SOCKET = 1000;
/** Slots whose send time is remembered (a long run forgets the oldest). */
const SLOTS_REMEMBERED = 10_000;

function commitmentOf(params: unknown[], index: number): string {
  const c = params[index] as { commitment?: unknown } | undefined;
  return typeof c?.commitment === 'string' ? c.commitment : 'finalized';
}

export class FakeSolanaPubsub {
  mode: PubsubMode = 'ok';
  /** Subscribe calls received, by method (what feeds cost the node). */
  readonly subscribeCalls = new Map<string, number>();
  /**
   * When this node first sent each slot's slotNotification (epoch ms): the bench measures how long
   * after the fastest upstream a subscriber gets a slot.
   */
  readonly slotSentAtMs = new Map<number, number>();
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  private readonly sockets = new Map<WebSocket, Map<number, Sub>>();
  private nextId = 0;
  private port = 0;

  private constructor(
    private readonly server: Server,
    private readonly node: SolanaNode,
    private readonly cluster: SolanaCluster,
  ) {
    server.on('upgrade', (req, socket, head) => {
      if (this.mode === 'down') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    cluster.clock.onAdvance(() => this.onSlot());
    cluster.ledger.onChange((event) => {
      if (event.kind === 'tx') this.onTransaction(event.tx);
    });
  }

  static async start(node: SolanaNode, cluster: SolanaCluster): Promise<FakeSolanaPubsub> {
    const server = createServer((_req, res) => res.writeHead(426).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pubsub = new FakeSolanaPubsub(server, node, cluster);
    pubsub.port = (server.address() as AddressInfo).port;
    return pubsub;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Active subscriptions of every socket, by kind. */
  subscriptionCount(kind: Sub['kind']): number {
    let n = 0;
    for (const subs of this.sockets.values()) for (const s of subs.values()) if (s.kind === kind) n++;
    return n;
  }

  async setMode(mode: PubsubMode): Promise<void> {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'down' && was !== 'down') {
      this.drop();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    } else if (mode !== 'down' && was === 'down') {
      await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    }
  }

  /** Cuts every open socket (a reset); new connections are accepted as before. */
  drop(): void {
    for (const ws of this.sockets.keys()) ws.terminate();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.drop();
    if (this.mode !== 'down') await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.mode = 'down';
  }

  private accept(ws: WebSocket): void {
    const subs = new Map<number, Sub>();
    this.sockets.set(ws, subs);
    ws.on('ping', (data) => {
      if (this.mode === 'ok') ws.pong(data);
    });
    ws.on('message', (data) => {
      if (this.mode !== 'ok') return;
      const reply = this.answer(data.toString(), subs);
      if (reply) ws.send(reply);
    });
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => {});
  }

  private answer(text: string, subs: Map<number, Sub>): string | undefined {
    let msg: { id?: unknown; method?: unknown; params?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}';
    }
    const id = JSON.stringify(msg.id ?? null);
    const params = Array.isArray(msg.params) ? msg.params : [];
    const method = typeof msg.method === 'string' ? msg.method : '';
    if (method.endsWith('Unsubscribe')) {
      const ok = typeof params[0] === 'number' && subs.delete(params[0]);
      return ok
        ? `{"jsonrpc":"2.0","result":true,"id":${id}}`
        : `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid subscription id."},"id":${id}}`;
    }
    const sub = this.parse(method, params);
    if (!sub || subs.size >= MAX_SUBS_PER_SOCKET)
      return `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params"},"id":${id}}`;
    this.subscribeCalls.set(method, (this.subscribeCalls.get(method) ?? 0) + 1);
    const subId = this.nextId++;
    subs.set(subId, sub);
    return `{"jsonrpc":"2.0","result":${subId},"id":${id}}`;
  }

  private parse(method: string, p: unknown[]): Sub | undefined {
    const node = this.node;
    switch (method) {
      case 'slotSubscribe':
        return { kind: 'slot' };
      case 'rootSubscribe':
        return { kind: 'root' };
      case 'signatureSubscribe': {
        if (typeof p[0] !== 'string') return undefined;
        const c = p[1] as { enableReceivedNotification?: unknown } | undefined;
        // agave notifies only what it processes after the subscription came.
        const late = this.cluster.processed.has(p[0]);
        return {
          kind: 'signature',
          signature: p[0],
          commitment: commitmentOf(p, 1),
          received: c?.enableReceivedNotification === true,
          late,
        };
      }
      case 'accountSubscribe': {
        if (typeof p[0] !== 'string') return undefined;
        const commitment = commitmentOf(p, 1);
        const lastWrite = this.cluster.ledger.writtenAt(p[0], node.slotAt(commitment)) ?? -1;
        return { kind: 'account', pubkey: p[0], commitment, lastWrite };
      }
      case 'programSubscribe': {
        if (typeof p[0] !== 'string') return undefined;
        const commitment = commitmentOf(p, 1);
        const sent = new Map<string, number>();
        const at = node.slotAt(commitment);
        for (const pubkey of this.cluster.ledger.pubkeys())
          sent.set(pubkey, this.cluster.ledger.writtenAt(pubkey, at) ?? -1);
        return { kind: 'program', program: p[0], commitment, sent };
      }
      case 'logsSubscribe': {
        const f = p[0] as { mentions?: unknown } | string | undefined;
        let mentions: string | undefined;
        if (
          typeof f === 'object' &&
          f !== null &&
          Array.isArray(f.mentions) &&
          typeof f.mentions[0] === 'string'
        )
          mentions = f.mentions[0];
        else if (f !== 'all' && f !== 'allWithVotes') return undefined;
        const commitment = commitmentOf(p, 1);
        return { kind: 'logs', mentions, commitment, upTo: node.slotAt(commitment) };
      }
      default:
        return undefined;
    }
  }

  private onSlot(): void {
    if (this.mode !== 'ok') return;
    for (const [ws, subs] of this.sockets) {
      for (const [id, sub] of subs) {
        for (const [method, result] of this.notificationsOf(sub)) {
          if (method === 'slotNotification') this.noteSlotSent((result as { slot: number }).slot);
          ws.send(frame(method, result, id));
        }
        // agave ends a signature subscription with its notification.
        if (sub.kind === 'signature' && this.signatureDone(sub)) subs.delete(id);
      }
    }
  }

  private noteSlotSent(slot: number): void {
    if (this.slotSentAtMs.has(slot)) return;
    makeRoom(this.slotSentAtMs, SLOTS_REMEMBERED);
    this.slotSentAtMs.set(slot, performance.timeOrigin + performance.now());
  }

  private signatureDone(sub: Extract<Sub, { kind: 'signature' }>): boolean {
    const slot = this.cluster.processed.get(sub.signature);
    return !sub.late && slot !== undefined && this.node.slotAt(sub.commitment) >= slot;
  }

  private notificationsOf(sub: Sub): [string, unknown][] {
    const node = this.node;
    const cluster = this.cluster;
    const tip = node.tip;
    switch (sub.kind) {
      case 'slot': {
        if (cluster.isSkipped(tip)) return [];
        const parent = cluster.isSkipped(tip - 1) ? tip - 2 : tip - 1;
        return [['slotNotification', { parent, root: node.slotAt('finalized'), slot: tip }]];
      }
      case 'root': {
        const root = node.slotAt('finalized');
        return cluster.isSkipped(root) ? [] : [['rootNotification', root]];
      }
      case 'signature': {
        if (!this.signatureDone(sub)) return [];
        return [
          ['signatureNotification', { context: { slot: node.slotAt(sub.commitment) }, value: { err: null } }],
        ];
      }
      case 'account': {
        const at = node.slotAt(sub.commitment);
        const written = cluster.ledger.writtenAt(sub.pubkey, at);
        if (written === undefined || written <= sub.lastWrite) return [];
        sub.lastWrite = written;
        // agave's context.slot is the slot of the bank that wrote the account.
        return [
          [
            'accountNotification',
            { context: { slot: written }, value: accountJson(node.accountAt(sub.pubkey, at)) },
          ],
        ];
      }
      case 'program': {
        const at = node.slotAt(sub.commitment);
        const out: [string, unknown][] = [];
        for (const { pubkey, state } of cluster.ledger.accountsOf(sub.program, at)) {
          const written = cluster.ledger.writtenAt(pubkey, at) ?? -1;
          if (written <= (sub.sent.get(pubkey) ?? -1)) continue;
          sub.sent.set(pubkey, written);
          out.push([
            'programNotification',
            { context: { slot: written }, value: { pubkey, account: accountJson(state) } },
          ]);
        }
        return out;
      }
      case 'logs': {
        const at = node.slotAt(sub.commitment);
        const out: [string, unknown][] = [];
        for (let slot = sub.upTo + 1; slot <= at; slot++) {
          for (const tx of cluster.ledger.transactionsAt(slot)) {
            if (sub.mentions !== undefined && !tx.accountKeys.includes(sub.mentions)) continue;
            out.push([
              'logsNotification',
              { context: { slot }, value: { signature: tx.signature, err: null, logs: tx.logs } },
            ]);
          }
        }
        sub.upTo = Math.max(sub.upTo, at);
        return out;
      }
    }
  }

  private onTransaction(tx: LedgerTransaction): void {
    if (this.mode !== 'ok') return;
    for (const [ws, subs] of this.sockets) {
      for (const [id, sub] of subs) {
        if (sub.kind !== 'signature' || !sub.received || sub.signature !== tx.signature) continue;
        ws.send(
          frame('signatureNotification', { context: { slot: tx.slot }, value: 'receivedSignature' }, id),
        );
      }
    }
  }
}

function frame(method: string, result: unknown, subscription: number): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params: { result, subscription } });
}
