// A client-side failover as a system under test: one process that reads the fleet directly through
// viem's `fallback` transport (rank: true, one `http()` per upstream) or ethers v6 `FallbackProvider`
// (quorum 1, one JsonRpcProvider per upstream), and runs the open-loop read load itself, as the app
// would. Started pinned by client-target.ts with one JSON argument (ClientConfig); prints JSON lines:
//   {"msg":"ready"}                            client built, first read done; waits for SIGUSR2
//   {"msg":"started","loadStartMs":N}          on SIGUSR2: the timeline starts then (epoch ms)
//   {"rank":["aws-use1-a",…],"atMs":N}         viem: its ranked order, whenever it changed
//   {"read":[startMs,latencyMs,ok,upstream,method,error]}   one per read, when it ends
//   {"msg":"done","dropped":N,"sent":N}        then it exits
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PerformActionRequest } from 'ethers';
import { epochMs, sleep } from '../load/stats.js';
import { type CheapRead, cheapRead, cheapReadMix } from './reads.js';

export interface ClientConfig {
  kind: 'viem' | 'ethers';
  chainId: number;
  upstreams: { name: string; url: string }[];
  /** Reads per second, open loop; 0 sends none. */
  ratePerSec: number;
  /** The timeline: reads flow (and the rank is watched) this long from loadStartMs. */
  durationMs: number;
  /** Client-side budget of one read; past it the read counts as a timeout. */
  timeoutMs: number;
  maxInFlight: number;
  /**
   * viem: the ranked order is read right after each ranking ping ends (the ranker reorders only when
   * a round of pings is done) and also this often (no network traffic either way).
   */
  rankPollMs: number;
  seed: number;
  /** loadStartMs = SIGUSR2 + this. */
  startDelayMs: number;
}

/** Per read: the upstream whose answer the library returned. */
interface ReadContext {
  upstream: string | null;
}

interface Client {
  read(r: CheapRead): Promise<unknown>;
  /** The ranked order now, most preferred first; undefined when the library has none. */
  rankOrder?(): Promise<string[]>;
}

const context = new AsyncLocalStorage<ReadContext>();
/** A method no upstream is ever asked: the viem rank probe, answered by fetchFn without the network. */
const RANK_PROBE = 'bench_rankProbe';

// Each child imports only its own library (viem's index and ethers each take ~0.5 s to load on one core).
async function viemClient(cfg: ClientConfig, onRankPing: () => void): Promise<Client> {
  const { createPublicClient, defineChain, fallback, http } = await import('viem');
  let probe: string[] | null = null;
  const transports = cfg.upstreams.map((u) =>
    http(u.url, {
      // Only to see which transport answered, when the ranker pinged, and to read the rank order
      // without traffic; the request itself is global fetch as by default.
      fetchFn: async (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        if (body.includes(RANK_PROBE)) {
          probe?.push(u.name);
          throw new Error('rank probe');
        }
        const ctx = context.getStore();
        // The ranker's pings run outside any read.
        const ping = ctx === undefined && body.includes('"net_listening"');
        try {
          const res = await fetch(input, init);
          if (ctx && res.ok) ctx.upstream = u.name;
          return res;
        } finally {
          if (ping) onRankPing();
        }
      },
    }),
  );
  // viem/chains' mainnet, without loading every chain viem knows.
  const chain = defineChain({
    id: cfg.chainId,
    name: 'Ethereum',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [cfg.upstreams[0]?.url ?? ''] } },
  });
  const client = createPublicClient({ chain, transport: fallback(transports, { rank: true }) });
  // The typed request knows only real methods; the rank probe needs a raw one.
  const raw = client.request as unknown as (
    args: { method: string; params?: unknown[] },
    options?: { retryCount?: number },
  ) => Promise<unknown>;
  return {
    read: (r) => raw({ method: r.method, params: r.params }),
    async rankOrder() {
      // The fallback tries its transports in ranked order; each fetchFn notes its name and fails.
      probe = [];
      await raw({ method: RANK_PROBE, params: [] }, { retryCount: 0 }).catch(() => undefined);
      const order = probe;
      probe = null;
      return order;
    },
  };
}

async function ethersClient(cfg: ClientConfig): Promise<Client> {
  const { FallbackProvider, JsonRpcProvider } = await import('ethers');

  /** A JsonRpcProvider that notes, per read, the first upstream whose answer came back. */
  class TaggedProvider extends JsonRpcProvider {
    constructor(
      url: string,
      readonly upstream: string,
    ) {
      // staticNetwork: no eth_chainId before every call; batchMaxCount 1: one HTTP request per read
      // as every other target sends (the default batches for 10 ms); cacheTimeout -1: no 250 ms cache.
      super(url, cfg.chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    }

    // Generic as AbstractProvider's own _perform, which the FallbackProvider config is typed against.
    override async _perform<T = unknown>(req: PerformActionRequest): Promise<T> {
      const result = (await super._perform(req)) as T;
      const ctx = context.getStore();
      if (ctx && ctx.upstream === null) ctx.upstream = this.upstream;
      return result;
    }
  }

  const providers = cfg.upstreams.map((u) => new TaggedProvider(u.url, u.name));
  // quorum 1: one answer is enough (the default is half the providers' weight, 3 of 5 here);
  // stallTimeout 400 ms, priority and weight 1 (the defaults).
  const fallbackProvider = new FallbackProvider(
    providers.map((provider) => ({ provider })),
    cfg.chainId,
    { quorum: 1, cacheTimeout: -1 },
  );
  return {
    read: (r) =>
      r.method === 'eth_blockNumber'
        ? fallbackProvider.getBlockNumber()
        : fallbackProvider.getBalance(r.params[0]!, r.params[1]),
  };
}

function errorKind(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && e.code) return e.code;
  const text = `${String(e.name ?? '')} ${String(e.message ?? '')} ${String((e.cause as Error | undefined)?.message ?? '')}`;
  if (/ECONNREFUSED/.test(text)) return 'ECONNREFUSED';
  if (/\b503\b/.test(text)) return 'http_503';
  if (/timed? ?out/i.test(text)) return 'timeout';
  return typeof e.name === 'string' ? e.name : 'error';
}

const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** How long the child waits for its start signal before it gives up. */
const START_WAIT_MS = 120_000;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;
  // Before anything else: SIGUSR2's default action would end the process.
  let timer: NodeJS.Timeout | undefined;
  const go = new Promise<boolean>((resolve) => {
    process.once('SIGUSR2', () => resolve(true));
    timer = setTimeout(() => resolve(false), START_WAIT_MS);
  });
  let onRankPing: () => void = () => {};
  const client = cfg.kind === 'viem' ? await viemClient(cfg, () => onRankPing()) : await ethersClient(cfg);
  // One untimed read first, as an app makes before it goes quiet: ethers syncs every provider
  // (eth_blockNumber) on its first call; viem has sent its first ranking pings by then.
  await client.read({ method: 'eth_blockNumber', params: [] }).catch(() => undefined);

  print({ msg: 'ready' });

  // The ranked order, printed whenever it changed: checked right after every ranking ping ends
  // (then, 5 and 50 ms later: the ranker reorders once the round's last ping is done) and every
  // rankPollMs; one check at a time.
  let watching = true;
  let last = '';
  let busy = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (!client.rankOrder || !watching) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    do {
      again = false;
      const atMs = epochMs();
      const order = await client.rankOrder();
      const key = order.join(',');
      if (key !== last) print({ rank: order, atMs });
      last = key;
    } while (again && watching);
    busy = false;
  };
  onRankPing = () => {
    for (const delay of [0, 5, 50]) setTimeout(() => void check(), delay);
  };
  const background = client.rankOrder ? setInterval(() => void check(), cfg.rankPollMs) : undefined;
  await check();

  const started = await go;
  clearTimeout(timer);
  if (!started) {
    process.stderr.write('client-main: no start signal\n');
    process.exit(2);
  }
  const loadStartMs = epochMs() + cfg.startDelayMs;
  const endMs = loadStartMs + cfg.durationMs;
  print({ msg: 'started', loadStartMs });

  const mix = cheapReadMix(cfg.seed);
  let sent = 0;
  let dropped = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const one = async (): Promise<void> => {
    const read = cheapRead(mix.next().body);
    const ctx: ReadContext = { upstream: null };
    const startMs = epochMs();
    let ok = false;
    let error: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('client timeout'), { code: 'timeout' })),
        cfg.timeoutMs,
      );
    });
    inFlight++;
    try {
      await Promise.race([context.run(ctx, () => client.read(read)), timeout]);
      ok = true;
    } catch (err) {
      error = errorKind(err);
    } finally {
      clearTimeout(timer);
      inFlight--;
    }
    const latencyMs = Math.round((epochMs() - startMs) * 1000) / 1000;
    print({
      read: [
        Math.round(startMs * 1000) / 1000,
        latencyMs,
        ok ? 1 : 0,
        ok ? ctx.upstream : null,
        read.method,
        error,
      ],
    });
  };

  await sleep(loadStartMs - epochMs());
  if (cfg.ratePerSec > 0) {
    const maxReads = Math.ceil((cfg.ratePerSec * cfg.durationMs) / 1000) + 1;
    const t0 = performance.now();
    let scheduled = 0;
    while (sent < maxReads && epochMs() < endMs) {
      const due = Math.floor(((performance.now() - t0) * cfg.ratePerSec) / 1000) + 1;
      while (scheduled < due && sent < maxReads) {
        scheduled++;
        if (inFlight >= cfg.maxInFlight) {
          dropped++;
          continue;
        }
        sent++;
        const p = one();
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      await sleep(Math.max(0, t0 + (scheduled * 1000) / cfg.ratePerSec - performance.now()));
    }
  }
  await sleep(endMs - epochMs());
  watching = false;
  clearInterval(background);
  // Every read ends within its budget (timeoutMs).
  await Promise.all(pending);
  print({ msg: 'done', dropped, sent });
  // Hung sockets and viem's ranking timer would keep the process alive.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`client-main: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
