// A fake CometBFT fleet (three nodes in two clouds, three providers) with a /websocket fake per node,
// and a Switchyard in front of it with one cometbft chain `cosmoshub` fed by those sockets.
import WebSocket from 'ws';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { type CometChain, CometNode } from '../../src/simulation/fake-cometbft.js';
import { FakeCometWs } from '../../src/simulation/fake-cometbft-ws.js';
import { type FamilyFleet, startFamilyFleet } from '../../src/simulation/family-fleet.js';
import { getJson, startBalancer, type TestBalancer } from './balancer.js';

const COMET_PROVIDERS = [
  { name: 'a1', cloud: 'aws', region: 'us-east-1', provider: 'alpha' },
  { name: 'a2', cloud: 'aws', region: 'us-east-1', provider: 'beta' },
  { name: 'g1', cloud: 'gcp', region: 'europe-west1', provider: 'gamma' },
];

export interface CometSetup {
  fleet: FamilyFleet;
  chain: CometChain;
  sockets: Map<string, FakeCometWs>;
  balancer: TestBalancer;
  /** The config the balancer started with (a test reloads variations of it). */
  raw: { chains: Record<string, unknown>[] } & Record<string, unknown>;
  close(): Promise<void>;
}

export async function startCometSetup(
  options: { ws?: boolean; discardAbciResponses?: boolean; extra?: Record<string, unknown> } = {},
): Promise<CometSetup> {
  const providers = COMET_PROVIDERS.map((p) => ({
    ...p,
    discardAbciResponses: options.discardAbciResponses === true,
  }));
  const fleet = await startFamilyFleet('cometbft', { providers, startHeight: 1000 });
  const chain = fleet.chain as CometChain;
  const sockets = new Map<string, FakeCometWs>();
  if (options.ws !== false) {
    for (const p of COMET_PROVIDERS)
      sockets.set(p.name, await FakeCometWs.start(new CometNode({ chain, moniker: p.name }), chain));
  }
  const raw = {
    server: { host: '127.0.0.1', port: 0 },
    health: { interval: '200ms', downInterval: '100ms' },
    subscriptions: { pollInterval: '50ms', silentAfter: '300ms' },
    ...options.extra,
    chains: [
      {
        name: 'cosmoshub',
        family: 'cometbft',
        network: fleet.identity,
        upstreams: fleet.providers.map((p) => ({
          name: p.name,
          url: p.url,
          cloud: p.spec.cloud,
          region: p.spec.region,
          provider: p.spec.provider,
          ...(sockets.has(p.name) ? { ws: sockets.get(p.name)!.url } : {}),
        })),
      },
    ],
  };
  const balancer = await startBalancer(raw, { operations: true });
  // The feed takes heights only from upstreams whose network was checked.
  const ready = async () => {
    const status = (await getJson(`${balancer.url}/status`)).json as { chains: { ready: boolean }[] };
    return status.chains[0]?.ready === true;
  };
  const until = Date.now() + 5000;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error('balancer never ready');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    fleet,
    chain,
    sockets,
    balancer,
    raw,
    async close() {
      await balancer.close();
      await Promise.all([...sockets.values()].map((s) => s.close()));
      await fleet.close();
    },
  };
}

/** The parts of an event's `data.value` the tests read (NewBlock, NewBlockHeader, Tx). */
export interface EventValue {
  block: { header: { height: string }; data: { txs: string[] } };
  header: { height: string };
  result_finalize_block: { tx_results?: unknown[] };
  TxResult: { height: string; index: number; tx: string };
}

/** A raw JSON-RPC WebSocket client that keeps every frame it receives. */
export class RawClient {
  readonly frames: Record<string, unknown>[] = [];
  closes = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.on('close', () => this.closes++);
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  /** Sends one call and waits for the first frame under its id. */
  async call(id: unknown, method: string, params: unknown): Promise<Record<string, unknown>> {
    const before = this.frames.length;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    let found: Record<string, unknown> | undefined;
    await waitFor(
      () => {
        found = this.frames.slice(before).find((f) => JSON.stringify(f.id) === JSON.stringify(id));
        return found !== undefined;
      },
      5000,
      `answer to ${method}`,
    );
    return found!;
  }

  /** Event frames under one id: `{query, data: {type, value}, events}`. */
  events(id: unknown): {
    query: string;
    data: { type: string; value: EventValue };
    events: Record<string, string[]>;
  }[] {
    return this.frames
      .filter(
        (f) =>
          JSON.stringify(f.id) === JSON.stringify(id) && (f.result as { data?: unknown })?.data !== undefined,
      )
      .map((f) => f.result as never);
  }
}

/** Heights of NewBlock (or NewBlockHeader) events received under one id. */
export function heightsOf(client: RawClient, id: unknown): number[] {
  return client.events(id).map((e) => Number((e.data.value.block ?? e.data.value).header.height));
}

export function sendTx(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
