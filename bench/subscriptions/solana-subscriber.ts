// A Solana subscriber as wallets run one (@solana/web3.js's socket does the same): slotSubscribe, one
// accountSubscribe and a signatureSubscribe per transaction it waits for, re-made after a reconnect
// (signatures not yet notified included). It cannot backfill and does not notice a socket that stays
// open but goes silent. Every notification is kept with its arrival time.
import WebSocket from 'ws';
import { epochMs } from '../load/stats.js';

export interface SolanaSubscriberRecord {
  slots: { slot: number; atMs: number }[];
  accounts: { slot: number; lamports: number; atMs: number }[];
  signatures: { signature: string; atMs: number }[];
  connections: number;
  failedAttempts: number;
  lastFailure: string | null;
  /** Subscription ids the slot and account subscriptions had, per connection ("conn:id"). */
  ids: string[];
}

type Kind = { kind: 'slot' } | { kind: 'account' } | { kind: 'signature'; signature: string };

export class SolanaSubscriber {
  readonly record: SolanaSubscriberRecord = {
    slots: [],
    accounts: [],
    signatures: [],
    connections: 0,
    failedAttempts: 0,
    lastFailure: null,
    ids: [],
  };
  private socket: WebSocket | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<string>();
  private requests = new Map<number, Kind>();
  private subs = new Map<number, Kind>();
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly account: string,
    private readonly reconnectDelayMs: number,
  ) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.terminate();
  }

  /** Waits for a signature (subscribed now if connected, else at the next connection). */
  watchSignature(signature: string): void {
    this.pending.add(signature);
    this.subscribe({ kind: 'signature', signature });
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      this.record.connections++;
      this.requests = new Map();
      this.subs = new Map();
      this.subscribe({ kind: 'slot' });
      this.subscribe({ kind: 'account' });
      for (const signature of this.pending) this.subscribe({ kind: 'signature', signature });
    });
    socket.on('message', (data: Buffer) => this.onMessage(data.toString()));
    socket.on('error', (err) => {
      this.record.lastFailure = err.message;
    });
    socket.on('close', () => {
      if (!opened) this.record.failedAttempts++;
      if (this.stopped || socket !== this.socket) return;
      this.timer = setTimeout(() => this.connect(), this.reconnectDelayMs);
    });
  }

  private subscribe(kind: Kind): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    const id = this.nextId++;
    this.requests.set(id, kind);
    const [method, params] =
      kind.kind === 'slot'
        ? ['slotSubscribe', []]
        : kind.kind === 'account'
          ? ['accountSubscribe', [this.account, { commitment: 'processed', encoding: 'base64' }]]
          : ['signatureSubscribe', [kind.signature, { commitment: 'confirmed' }]];
    socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }

  private onMessage(text: string): void {
    const atMs = epochMs();
    const frame = JSON.parse(text) as {
      id?: number;
      result?: unknown;
      method?: string;
      params?: { subscription: number; result: Record<string, unknown> };
    };
    if (frame.id !== undefined) {
      const kind = this.requests.get(frame.id);
      if (kind && typeof frame.result === 'number') {
        this.subs.set(frame.result, kind);
        if (kind.kind !== 'signature')
          this.record.ids.push(`${this.record.connections}:${kind.kind}:${frame.result}`);
      }
      return;
    }
    const kind = frame.params && this.subs.get(frame.params.subscription);
    if (!kind) return;
    const result = frame.params!.result;
    if (kind.kind === 'slot') this.record.slots.push({ slot: result.slot as number, atMs });
    else if (kind.kind === 'account') {
      const context = result.context as { slot: number };
      const value = result.value as { lamports: number };
      this.record.accounts.push({ slot: context.slot, lamports: value.lamports, atMs });
    } else if ((result.value as unknown) !== 'receivedSignature') {
      this.pending.delete(kind.signature);
      this.record.signatures.push({ signature: kind.signature, atMs });
    }
  }
}
