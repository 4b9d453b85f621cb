// `switchyard bench providers --config FILE`: measures every configured upstream directly (no
// balancer in between): latency percentiles, error and throttle rates, head lag against the best head
// of its chain, chain id; then ranks them, grouped by failure domain. Bounded per upstream by a
// request count and a duration; upstreams are measured in parallel, each with one request at a time.
// Upstream URLs are never printed (they often hold API keys): upstreams are named by config name.

import type { ChainConfig, Config, UpstreamConfig } from '../config/config.js';
import { evmFamily } from '../families/evm/index.js';
import { classify } from '../routing/classify.js';
import { UpstreamClient } from '../routing/upstream-client.js';
import { quantileSorted } from './quantile.js';

export interface ProviderBenchOptions {
  /** Requests per upstream (after the chain id check). */
  requests: number;
  /** Time budget per upstream. */
  seconds: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Blocks behind the best head beyond which an upstream counts as lagging. */
  maxLag?: number;
}

type Verdict = 'ok' | 'wrong chain' | 'unreachable' | 'lagging' | 'throttled' | 'errors';

interface UpstreamScore {
  chain: string;
  name: string;
  cloud: string;
  region: string;
  provider: string;
  network: string | null;
  /** The region failure domain (cloud/region), used for grouping. */
  domain: string;
  sent: number;
  ok: number;
  errors: number;
  throttled: number;
  timeouts: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  reportedChainId: number | null;
  chainIdOk: boolean | null;
  head: number | null;
  lag: number | null;
  lastError: string | null;
  verdict: Verdict;
  /** 1 = best of its chain. */
  rank: number;
}

export interface ChainScores {
  chain: string;
  chainId: number | undefined;
  bestHead: number | null;
  upstreams: UpstreamScore[];
}

interface Reply {
  kind: 'ok' | 'error' | 'throttled' | 'timeout';
  value?: unknown;
  detail?: string;
  ms: number;
}

/** One upstream measured through the balancer's own client and classification (same quirks table). */
export class UpstreamProbe {
  private readonly client: UpstreamClient;
  private id = 0;

  constructor(
    readonly config: UpstreamConfig,
    private readonly timeoutMs: number,
  ) {
    this.client = new UpstreamClient({
      url: config.url,
      headers: config.headers,
      maxConnections: 2,
      connectTimeoutMs: timeoutMs,
      ioTimeoutMs: timeoutMs,
    });
  }

  async call(method: string, params: unknown[]): Promise<Reply> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort('timeout'), this.timeoutMs);
    const t0 = performance.now();
    const end = await this.client.send(body, controller.signal);
    clearTimeout(timer);
    const ms = performance.now() - t0;
    const c = classify(method, end, Date.now(), evmFamily);
    if (c.outcome === 'ok' && c.reply?.kind === 'result') return { kind: 'ok', ms, value: c.reply.value };
    if (c.outcome === 'throttled') return { kind: 'throttled', ms, detail: c.detail };
    if (c.outcome === 'timeout')
      return { kind: 'timeout', ms, detail: `no answer within ${this.timeoutMs} ms` };
    return { kind: 'error', ms, detail: c.detail };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

const parseQuantity = (v: unknown): number | null =>
  typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : null;

/** The calls an upstream is measured with: cheap reads every wallet makes. */
const CALLS: [string, unknown[]][] = [
  ['eth_blockNumber', []],
  ['eth_getBlockByNumber', ['latest', false]],
  ['eth_getBalance', ['0x0000000000000000000000000000000000000000', 'latest']],
  ['eth_blockNumber', []],
  ['eth_gasPrice', []],
];

interface Raw {
  config: UpstreamConfig;
  replies: Reply[];
  chainId: number | null;
  head: number | null;
  lastError: string | null;
}

async function measureUpstream(probe: UpstreamProbe, opts: Required<ProviderBenchOptions>): Promise<Raw> {
  const deadline = performance.now() + opts.seconds * 1000;
  const replies: Reply[] = [];
  let lastError: string | null = null;
  let head: number | null = null;
  const idReply = await probe.call('eth_chainId', []);
  const chainId = idReply.kind === 'ok' ? parseQuantity(idReply.value) : null;
  if (idReply.kind !== 'ok') lastError = idReply.detail ?? idReply.kind;
  for (let i = 0; i < opts.requests && performance.now() < deadline; i++) {
    const [method, params] = CALLS[i % CALLS.length]!;
    const r = await probe.call(method, params);
    replies.push(r);
    if (r.kind !== 'ok') lastError = r.detail ?? r.kind;
    if (r.kind === 'ok' && method === 'eth_blockNumber') head = parseQuantity(r.value) ?? head;
    // An unreachable upstream is not worth the whole budget: stop after five failures in a row.
    if (
      replies.length >= 5 &&
      replies.slice(-5).every((x) => x.kind === 'timeout' || x.detail?.startsWith('E'))
    )
      break;
  }
  return { config: probe.config, replies, chainId, head, lastError };
}

function scoreOf(
  chain: ChainConfig,
  raw: Raw,
  bestHead: number | null,
  maxLag: number,
): Omit<UpstreamScore, 'rank'> {
  const u = raw.config;
  const okMs = Float64Array.from(raw.replies.filter((r) => r.kind === 'ok').map((r) => r.ms)).sort();
  const count = (k: Reply['kind']) => raw.replies.filter((r) => r.kind === k).length;
  const ok = okMs.length;
  const throttled = count('throttled');
  const timeouts = count('timeout');
  const errors = count('error') + timeouts;
  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 10) / 10);
  const lag = bestHead !== null && raw.head !== null ? bestHead - raw.head : null;
  const chainIdOk = raw.chainId === null ? null : raw.chainId === chain.chainId;
  let verdict: Verdict = 'ok';
  if (chainIdOk === false) verdict = 'wrong chain';
  else if (ok === 0) verdict = throttled > 0 ? 'throttled' : 'unreachable';
  else if (lag !== null && lag > maxLag) verdict = 'lagging';
  else if (throttled / Math.max(1, raw.replies.length) > 0.1) verdict = 'throttled';
  else if (errors / Math.max(1, raw.replies.length) > 0.05) verdict = 'errors';
  return {
    chain: chain.name,
    name: u.name,
    cloud: u.cloud,
    region: u.region,
    provider: u.provider,
    network: u.network ?? null,
    domain: `${u.cloud}/${u.region}`,
    sent: raw.replies.length,
    ok,
    errors,
    throttled,
    timeouts,
    p50Ms: round(quantileSorted(okMs, 0.5)),
    p90Ms: round(quantileSorted(okMs, 0.9)),
    p99Ms: round(quantileSorted(okMs, 0.99)),
    maxMs: round(okMs.length ? okMs[okMs.length - 1] : undefined),
    reportedChainId: raw.chainId,
    chainIdOk,
    head: raw.head,
    lag,
    lastError: raw.lastError,
    verdict,
  };
}

const VERDICT_ORDER: Record<Verdict, number> = {
  ok: 0,
  errors: 1,
  throttled: 2,
  lagging: 3,
  unreachable: 4,
  'wrong chain': 5,
};

/** Usable first, then fewer failures (in 2% steps), then lower p90 latency. */
function compareScores(a: Omit<UpstreamScore, 'rank'>, b: Omit<UpstreamScore, 'rank'>): number {
  const v = VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict];
  if (v !== 0) return v;
  const failShare = (s: typeof a) => Math.floor(((s.errors + s.throttled) / Math.max(1, s.sent)) * 50);
  const f = failShare(a) - failShare(b);
  if (f !== 0) return f;
  return (a.p90Ms ?? Number.POSITIVE_INFINITY) - (b.p90Ms ?? Number.POSITIVE_INFINITY);
}

export async function benchProviders(
  config: Pick<Config, 'chains'>,
  options: ProviderBenchOptions,
  onDone: (chain: string, upstream: string) => void = () => {},
): Promise<ChainScores[]> {
  const opts: Required<ProviderBenchOptions> = {
    timeoutMs: Math.min(5000, options.seconds * 1000),
    maxLag: 5,
    ...options,
  };
  return Promise.all(
    config.chains.map(async (chain) => {
      const probes = chain.upstreams.map((u) => new UpstreamProbe(u, opts.timeoutMs));
      try {
        const raws = await Promise.all(
          probes.map((p) =>
            measureUpstream(p, opts).then((r) => {
              onDone(chain.name, p.config.name);
              return r;
            }),
          ),
        );
        // Heads compared at one moment: a last eth_blockNumber to everyone at once.
        await Promise.all(
          probes.map(async (p, i) => {
            const r = await p.call('eth_blockNumber', []);
            const head = r.kind === 'ok' ? parseQuantity(r.value) : null;
            if (head !== null) raws[i]!.head = head;
          }),
        );
        const heads = raws
          .filter((r) => r.chainId === null || r.chainId === chain.chainId)
          .map((r) => r.head);
        const known = heads.filter((h): h is number => h !== null);
        const bestHead = known.length ? Math.max(...known) : null;
        const scores = raws.map((r) => scoreOf(chain, r, bestHead, opts.maxLag)).sort(compareScores);
        return {
          chain: chain.name,
          chainId: chain.chainId,
          bestHead,
          upstreams: scores.map((s, i) => ({ ...s, rank: i + 1 })),
        };
      } finally {
        await Promise.all(probes.map((p) => p.close()));
      }
    }),
  );
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The ranked table, grouped by region failure domain (groups ordered by their best member). */
export function formatProviderTable(chains: ChainScores[], options: ProviderBenchOptions): string {
  const out: string[] = [];
  for (const c of chains) {
    out.push(
      `chain ${c.chain} (chainId ${c.chainId}, best head ${c.bestHead ?? 'unknown'}) — up to ${options.requests} requests / ${options.seconds} s per upstream`,
    );
    const header = [
      pad('rank', 5),
      pad('upstream', 22),
      pad('provider', 14),
      pad('p50 ms', 8, true),
      pad('p90 ms', 8, true),
      pad('p99 ms', 8, true),
      pad('ok', 5, true),
      pad('err %', 6, true),
      pad('429 %', 6, true),
      pad('lag', 5, true),
      pad('chain id', 9, true),
      '  verdict',
    ].join(' ');
    out.push(header);
    const groups = new Map<string, UpstreamScore[]>();
    for (const u of c.upstreams) groups.set(u.domain, [...(groups.get(u.domain) ?? []), u]);
    for (const [domain, members] of groups) {
      const usable = members.filter((m) => m.verdict === 'ok').length;
      out.push(`  region ${domain} — ${usable}/${members.length} usable`);
      for (const u of members) {
        const share = (n: number) => (u.sent === 0 ? '—' : ((n / u.sent) * 100).toFixed(1));
        const ms = (v: number | null) => (v === null ? '—' : v.toFixed(1));
        out.push(
          [
            pad(`  ${u.rank}`, 5),
            pad(u.name.slice(0, 22), 22),
            pad(u.provider.slice(0, 14), 14),
            pad(ms(u.p50Ms), 8, true),
            pad(ms(u.p90Ms), 8, true),
            pad(ms(u.p99Ms), 8, true),
            pad(`${u.ok}/${u.sent}`, 5, true),
            pad(share(u.errors), 6, true),
            pad(share(u.throttled), 6, true),
            pad(u.lag === null ? '—' : String(u.lag), 5, true),
            pad(u.reportedChainId === null ? '—' : `${u.reportedChainId}${u.chainIdOk ? '' : '!'}`, 9, true),
            `  ${u.verdict}${u.verdict !== 'ok' && u.lastError ? ` (${u.lastError.slice(0, 60)})` : ''}`,
          ].join(' '),
        );
      }
    }
    out.push('');
  }
  out.push(
    'rank: usable first (right chain, answering, lag ≤ 5 blocks, < 10% throttled, ≤ 5% errors), then fewer failures, then lower p90.',
  );
  return out.join('\n');
}
