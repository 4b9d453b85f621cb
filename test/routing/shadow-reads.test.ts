// Shadow upstreams through the CLI (issue 24): a shadow that answers eth_getBalance differently and
// eth_chainId alike gets copies of the sampled reads (shadowRate 1 here), its answers are never served,
// mismatches are counted per method in /status and /metrics, a shadow that never answers delays no
// client, and transaction submissions are never copied to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type SwitchyardProcess, startSwitchyard } from '../helpers/fleet.js';
import { parseProm, total } from '../helpers/ops.js';
import { pacedLoad } from '../helpers/paced-load.js';

let dir: string;
let chain: ChainSim;
let main: FakeProvider;
let shadow: FakeProvider;
let hung: FakeProvider;
let sy: SwitchyardProcess | undefined;

const SHADOW_BALANCE = '0xdead';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-shadow-'));
  chain = new ChainSim({ chainId: 1 });
  main = await startFakeProvider({ name: 'main', chain, latencyMs: 1 });
  shadow = await startFakeProvider({
    name: 'trial',
    chain,
    latencyMs: 1,
    handler: (call) => (call.method === 'eth_getBalance' ? { result: SHADOW_BALANCE } : undefined),
  });
  hung = await startFakeProvider({ name: 'hung', chain, latencyMs: 1 });
  sy = await startSwitchyard(dir, 'shadow', {
    server: { host: '127.0.0.1', port: 0 },
    routing: { shadowRate: 1 },
    // Checked once at start: the hung shadow stays up in Switchyard's eyes (a shadow seen down gets no
    // copies), so its copies go out and hang.
    health: { interval: '1h', busyInterval: '1h', watchInterval: '1h' },
    chains: [
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [
          { name: 'main', url: main.url, provider: 'incumbent', region: 'a' },
          { name: 'trial', url: shadow.url, provider: 'candidate', region: 'b', shadow: true },
          { name: 'hung', url: hung.url, provider: 'candidate2', region: 'c', shadow: true },
        ],
      },
    ],
  });
  // Once the health checks saw it up, the third shadow stops answering altogether.
  await hung.setFault({ kind: 'hang' });
});

afterAll(async () => {
  await sy?.stop();
  await Promise.all([main?.close(), shadow?.close(), hung?.close()]);
  chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const call = (method: string, params: unknown[]) => (i: number) =>
  JSON.stringify({ jsonrpc: '2.0', id: i, method, params });

describe('shadow upstreams', () => {
  it('are never served, and each copy is compared with the answer served', async () => {
    // Health checks ask eth_chainId too: those are not copies.
    const chainIdProbes = shadow.stats.byMethod.get('eth_chainId') ?? 0;
    const balances = await pacedLoad(
      sy!.url,
      50,
      2000,
      call('eth_getBalance', ['0x00000000000000000000000000000000000000aa', 'latest']),
    );
    const chainIds = await pacedLoad(sy!.url, 50, 1000, call('eth_chainId', []));
    for (const a of [...balances, ...chainIds]) {
      expect(a.ok, a.error).toBe(true);
      expect(a.upstream).toBe('main');
    }
    const copies = shadow.stats.byMethod.get('eth_getBalance') ?? 0;
    expect(copies).toBeGreaterThan(50);
    type Methods = Record<string, { match: number; mismatch: number; error: number; lastMismatch: unknown }>;
    let methods: Methods = {};
    await eventually(
      async () => {
        const status = (await (await fetch(`${sy!.url}/status`)).json()) as {
          chains: { shadow: { rate: number; upstreams: { name: string; methods: Methods }[] } }[];
        };
        methods = status.chains[0]!.shadow.upstreams.find((u) => u.name === 'trial')!.methods;
        return (
          methods.eth_getBalance?.mismatch === copies &&
          (methods.eth_chainId?.match ?? 0) ===
            (shadow.stats.byMethod.get('eth_chainId') ?? 0) - chainIdProbes
        );
      },
      5000,
      'shadow comparisons in /status',
    );
    expect(methods.eth_getBalance!.match).toBe(0);
    expect(JSON.stringify(methods.eth_getBalance!.lastMismatch)).toContain(SHADOW_BALANCE);
    expect(methods.eth_chainId!.mismatch).toBe(0);
    const metrics = parseProm(await (await fetch(`${sy!.url}/metrics`)).text());
    const mismatches = total(metrics, 'switchyard_shadow_reads_total', {
      upstream: 'trial',
      method: 'eth_getBalance',
      result: 'mismatch',
    });
    expect(mismatches).toBe(methods.eth_getBalance!.mismatch);
    expect(
      total(metrics, 'switchyard_shadow_duration_seconds_count', {
        upstream: 'trial',
        method: 'eth_chainId',
      }),
    ).toBe(methods.eth_chainId!.match);
    expect(methods.eth_chainId!.match).toBeGreaterThan(0); // the response cache answers the rest
    // The hung shadow holds its copies until the try timeout (3 s): they end as errors, later.
    await eventually(
      async () => {
        const text = await (await fetch(`${sy!.url}/metrics`)).text();
        return (
          total(parseProm(text), 'switchyard_shadow_reads_total', { upstream: 'hung', result: 'error' }) > 0
        );
      },
      8000,
      'the hung shadow copies time out',
    );
  }, 30_000);

  it('answers a client before its shadow copies are answered', async () => {
    const hungBefore = hung.stats.byMethod.get('eth_blockNumber') ?? 0;
    const errorsOf = async () =>
      total(parseProm(await (await fetch(`${sy!.url}/metrics`)).text()), 'switchyard_shadow_reads_total', {
        upstream: 'hung',
        method: 'eth_blockNumber',
      });
    const [answer] = await pacedLoad(sy!.url, 1, 1000, call('eth_blockNumber', []));
    expect(answer!.ok).toBe(true);
    // The copy leaves once the client has its answer; the hung shadow has it and has not answered.
    await eventually(
      async () => (hung.stats.byMethod.get('eth_blockNumber') ?? 0) > hungBefore,
      5000,
      'the copy at the hung shadow',
    );
    expect(await errorsOf()).toBe(0);
    await eventually(async () => (await errorsOf()) === 1, 8000, 'the copy timing out');
  }, 20_000);

  it('never copies a transaction submission', async () => {
    const raw = `0x${'02'.repeat(120)}`;
    const answers = await pacedLoad(sy!.url, 20, 500, call('eth_sendRawTransaction', [raw]));
    expect(answers.length).toBe(10);
    expect(main.stats.byMethod.get('eth_sendRawTransaction') ?? 0).toBeGreaterThan(0);
    expect(shadow.stats.byMethod.get('eth_sendRawTransaction') ?? 0).toBe(0);
    expect(hung.stats.byMethod.get('eth_sendRawTransaction') ?? 0).toBe(0);
  });
});
