// The lying-provider scenario (`npm run bench -- --scenario verified-reads`): real anvil behind four
// front ends in four clouds, one of which (azure) lies on a share of its eth_getBalance and eth_getProof
// answers. The same closed-loop balance reads go through Switchyard with quorum, with proofs and without
// verification, through nginx and HAProxy, and straight to an honest front (the baseline): wrong answers
// served, failed reads, p50/p99 added to the baseline, and upstream calls per read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startAnvil } from '../anvil/anvil.js';
import { type Front, type FrontRule, startFront } from '../anvil/chain-front.js';
import { quantileSorted, seededRandom } from '../load/stats.js';
import { startHaproxy } from '../targets/haproxy.js';
import { startNginx } from '../targets/nginx.js';
import { startSwitchyard } from '../targets/switchyard.js';
import type { RunningTarget, StartOptions, UpstreamRef } from '../targets/target.js';

const CHAIN_ID = 31337;
const ACCOUNTS = 16;
/** Share of the liar's balance and proof answers that are altered. */
const LIE_SHARE = 0.3;
/** Calls that are not reads: health checks and identity probes. */
const PROBES: ReadonlySet<string> = new Set(['eth_chainId', 'eth_blockNumber', 'net_version', 'eth_syncing']);

type Mode = 'direct' | 'quorum' | 'proof' | 'off' | 'nginx' | 'haproxy';

export interface VerifiedRow {
  target: string;
  reads: number;
  wrong: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  addedP50Ms: number;
  addedP99Ms: number;
  upstreamCallsPerRead: number;
}

const LABEL: Record<Mode, string> = {
  direct: 'direct (honest front, baseline)',
  quorum: 'Switchyard, verify quorum 2 across cloud',
  proof: 'Switchyard, verify proofs',
  off: 'Switchyard, verification off',
  nginx: 'nginx',
  haproxy: 'HAProxy',
};

function account(i: number): string {
  return `0x${(0xbe00 + i).toString(16).padStart(40, '0')}`;
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.body.json()) as { result?: unknown }).result;
}

function liar(random: () => number): FrontRule {
  const double = (hex: unknown) => `0x${(BigInt(String(hex)) * 2n + 1n).toString(16)}`;
  return (call) => {
    if (random() >= LIE_SHARE) return undefined;
    if (call.method === 'eth_getBalance') return { kind: 'rewrite', change: double };
    if (call.method === 'eth_getProof')
      return {
        kind: 'rewrite',
        change: (p) => ({ ...(p as object), balance: double((p as { balance: string }).balance) }),
      };
    return undefined;
  };
}

function readCalls(fronts: readonly Front[]): number {
  return fronts.reduce((n, f) => n + f.calls.filter((c) => !PROBES.has(c.method)).length, 0);
}

/** Closed loop: `clients` callers, `reads` balance reads in all, each checked against the truth. */
async function drive(url: string, reads: number, clients: number, truth: readonly bigint[]) {
  const latencies: number[] = [];
  let wrong = 0;
  let failed = 0;
  let next = 0;
  const client = async () => {
    while (next < reads) {
      const i = next++ % ACCOUNTS;
      const started = performance.now();
      try {
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'eth_getBalance',
            params: [account(i), 'latest'],
          }),
          headersTimeout: 5000,
          bodyTimeout: 5000,
        });
        const body = (await res.body.json()) as { result?: string };
        latencies.push(performance.now() - started);
        if (typeof body.result !== 'string') failed++;
        else if (BigInt(body.result) !== truth[i]) wrong++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  latencies.sort((a, b) => a - b);
  return {
    wrong,
    failed,
    p50: quantileSorted(latencies, 0.5) ?? 0,
    p99: quantileSorted(latencies, 0.99) ?? 0,
  };
}

export async function runVerifiedReads(out: string, reads = 600, clients = 4): Promise<VerifiedRow[]> {
  const work = join(out, 'work', 'verified-reads');
  mkdirSync(work, { recursive: true });
  const anvil = await startAnvil();
  const targets: RunningTarget[] = [];
  const fronts: Front[] = [];
  try {
    const truth: bigint[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      truth.push(10n ** 18n * BigInt(i + 1));
      await rpc(anvil.url, 'anvil_setBalance', [account(i), `0x${truth[i]!.toString(16)}`]);
    }
    await rpc(anvil.url, 'anvil_mine', ['0x1']);
    const clouds = ['azure', 'aws', 'gcp', 'ovh'];
    for (const cloud of clouds)
      fronts.push(await startFront(anvil.url, cloud === 'azure' ? liar(seededRandom(7)) : () => undefined));
    const upstreams: UpstreamRef[] = fronts.map((f, i) => ({
      name: `${clouds[i]}-node`,
      host: '127.0.0.1',
      port: Number(new URL(f.url).port),
      cloud: clouds[i]!,
      region: 'r1',
      provider: i === 0 ? 'liar-rpc' : `honest-${clouds[i]}`,
    }));
    const opts = (dir: string): StartOptions => {
      mkdirSync(join(work, dir), { recursive: true });
      return {
        upstreams,
        dir: join(work, dir),
        chainId: CHAIN_ID,
        mode: 'failover',
        core: 0,
      };
    };
    const chain = (verify?: Record<string, unknown>) => [
      {
        name: 'ethereum',
        chainId: CHAIN_ID,
        ...(verify ? { verify } : {}),
        upstreams: upstreams.map((u) => ({
          name: u.name,
          url: `http://${u.host}:${u.port}/`,
          cloud: u.cloud,
          region: u.region,
          provider: u.provider,
        })),
      },
    ];
    const start: Record<Mode, () => Promise<string>> = {
      direct: async () => fronts[1]!.url,
      quorum: async () =>
        track(await startSwitchyard(opts('quorum'), { chains: chain({ methods: ['eth_getBalance'] }) })),
      proof: async () =>
        track(
          await startSwitchyard(opts('proof'), {
            chains: chain({ methods: ['eth_getBalance'], proofs: true }),
          }),
        ),
      off: async () => track(await startSwitchyard(opts('off'), { chains: chain() })),
      nginx: async () => track(await startNginx(opts('nginx'))),
      haproxy: async () => track(await startHaproxy(opts('haproxy'))),
    };
    function track(t: RunningTarget): string {
      targets.push(t);
      return t.url;
    }
    const rows: VerifiedRow[] = [];
    let baseline = { p50: 0, p99: 0 };
    for (const mode of Object.keys(start) as Mode[]) {
      let url: string;
      try {
        url = await start[mode]();
      } catch (err) {
        console.error(`verified-reads: ${mode} did not start: ${(err as Error).message}`);
        continue;
      }
      // Warm-up (JIT, connections, the proxies' first health checks): not measured.
      await drive(url, Math.min(100, reads), clients, truth);
      const before = readCalls(fronts);
      const r = await drive(url, reads, clients, truth);
      const calls = readCalls(fronts) - before;
      if (mode === 'direct') baseline = r;
      rows.push({
        target: LABEL[mode],
        reads,
        wrong: r.wrong,
        failed: r.failed,
        p50Ms: round(r.p50),
        p99Ms: round(r.p99),
        addedP50Ms: round(r.p50 - baseline.p50),
        addedP99Ms: round(r.p99 - baseline.p99),
        upstreamCallsPerRead: round(calls / reads),
      });
      await targets.pop()?.stop();
    }
    writeFileSync(
      join(out, 'verified-reads.json'),
      `${JSON.stringify({ lieShare: LIE_SHARE, reads, clients, rows }, null, 2)}\n`,
    );
    writeFileSync(join(out, 'verified-reads.md'), verifiedTable(rows, reads, clients));
    return rows;
  } finally {
    for (const t of targets) await t.stop();
    for (const f of fronts) await f.close();
    await anvil.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function verifiedTable(rows: readonly VerifiedRow[], reads: number, clients: number): string {
  const lines = [
    `# Verified reads: one lying provider`,
    '',
    `anvil behind four front ends in four clouds; the azure one alters ${LIE_SHARE * 100} % of its eth_getBalance and`,
    `eth_getProof answers. ${reads} eth_getBalance reads per target (after 100 unmeasured), ${clients} closed-loop clients, each checked`,
    'against the truth. Added latency is against the direct baseline measured in the same run; upstream calls',
    'per read count every call the front ends saw except health probes (eth_chainId, eth_blockNumber).',
    '',
    '| target | wrong answers served | failed reads | p50 ms | p99 ms | p50 added | p99 added | upstream calls per read |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.wrong} | ${r.failed} | ${r.p50Ms} | ${r.p99Ms} | ${r.addedP50Ms} | ${r.addedP99Ms} | ${r.upstreamCallsPerRead} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
