// A Solana fleet with agave PubSub endpoints behind a real Switchyard, and a raw WebSocket client that
// keeps every frame: the setup of the Solana subscription tests.

import WebSocket from 'ws';
import { parse } from 'yaml';
import type { Observer } from '../../src/routing/observer.js';
import { type FamilyFleet, type FamilyProviderSpec, startFamilyFleet } from '../../src/simulation/index.js';
import { getJson, startBalancer, type TestBalancer } from './balancer.js';
import { sleep } from './ops.js';

const SOLANA_SPECS: FamilyProviderSpec[] = [
  { name: 'aws-a', cloud: 'aws', region: 'us-east-1', provider: 'p1', latencyMs: 1 },
  { name: 'aws-b', cloud: 'aws', region: 'us-east-1', provider: 'p2', latencyMs: 1 },
  { name: 'gcp-a', cloud: 'gcp', region: 'europe-west1', provider: 'p3', latencyMs: 2 },
];

export interface SolanaSetup {
  fleet: FamilyFleet;
  balancer: TestBalancer;
  /** The config the balancer started with (a test reloads variations of it). */
  raw: Record<string, unknown>;
  close(): Promise<void>;
}

/** Fleet (slots every `slotMs`) and Switchyard; resolves once every upstream's genesis hash is checked. */
export async function startSolanaSetup(
  opts: {
    slotMs?: number;
    pubsub?: boolean;
    subscriptions?: Record<string, unknown>;
    /** Merged at the top level of the config (e.g. `security`); with it, the CLI's full wiring. */
    config?: Record<string, unknown>;
    /** Without `config`: what the server reports to (e.g. its WebSocket closes). */
    observer?: Observer;
  } = {},
): Promise<SolanaSetup> {
  const fleet = await startFamilyFleet('solana', {
    providers: SOLANA_SPECS,
    intervalMs: opts.slotMs ?? 100,
    pubsub: opts.pubsub ?? true,
  });
  const { chains } = parse(fleet.upstreamsYaml('sol')) as { chains: unknown[] };
  const raw = {
    ...opts.config,
    server: { host: '127.0.0.1', port: 0 },
    health: { interval: '200ms', downInterval: '100ms', maxBlockLag: 20 },
    subscriptions: { pollInterval: '100ms', silentAfter: '600ms', ...opts.subscriptions },
    chains,
  };
  const balancer = await startBalancer(raw, {
    operations: opts.config !== undefined,
    ...(opts.observer ? { observer: opts.observer } : {}),
  });
  for (let i = 0; i < 100; i++) {
    const status = (await getJson(`${balancer.url}/status`)).json as {
      chains: { upstreams: { usable: boolean; head: number | null }[] }[];
    };
    if (status.chains[0]!.upstreams.every((u) => u.usable && u.head !== null)) break;
    await sleep(50);
  }
  return {
    fleet,
    balancer,
    raw,
    close: async () => {
      await balancer.close();
      await fleet.close();
    },
  };
}

export interface Frame {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
  params?: { result: unknown; subscription: number };
}

/** A raw PubSub client: requests by id, and every notification kept in order. */
export class RawClient {
  readonly notifications: Frame[] = [];
  private readonly waiting = new Map<number, (f: Frame) => void>();
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.method) this.notifications.push(frame);
      else if (typeof frame.id === 'number') this.waiting.get(frame.id)?.(frame);
    });
  }

  static async open(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  request(method: string, params: unknown[] = []): Promise<Frame> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async subscribe(method: string, params: unknown[] = []): Promise<number> {
    const frame = await this.request(method, params);
    if (typeof frame.result !== 'number')
      throw new Error(`${method} refused: ${JSON.stringify(frame.error)}`);
    return frame.result;
  }

  of(subscription: number): unknown[] {
    return this.notifications
      .filter((n) => n.params?.subscription === subscription)
      .map((n) => n.params!.result);
  }

  /** Waits (bounded) until `done` holds. */
  async until(done: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for notifications');
      await sleep(20);
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Consecutive notified slots: each one after the last, skipping only slots the cluster skipped. */
export function slotGaps(slots: readonly number[], isSkipped: (slot: number) => boolean): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < slots.length; i++) {
    for (let s = slots[i - 1]! + 1; s < slots[i]!; s++) if (!isSkipped(s)) gaps.push(s);
  }
  return gaps;
}
