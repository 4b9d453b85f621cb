// A bounded read load for tests: N concurrent clients in a closed loop, stopped by count or time.
import { Pool } from 'undici';

export interface LoadSample {
  startMs: number;
  latencyMs: number;
  ok: boolean;
  upstream: string | undefined;
  error?: string;
}

export interface LoadHandle {
  samples: LoadSample[];
  /** Stops issuing new requests; resolves when all in flight have finished. */
  stop(): Promise<void>;
  done: Promise<void>;
}

const READS = [
  '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
  '{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","latest"]}',
  '{"jsonrpc":"2.0","id":3,"method":"eth_chainId","params":[]}',
];

export function startLoad(
  url: string,
  options: {
    clients?: number;
    maxRequests?: number;
    maxMs?: number;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): LoadHandle {
  const clients = options.clients ?? 16;
  const maxRequests = options.maxRequests ?? 100_000;
  const deadline = performance.now() + (options.maxMs ?? 10_000);
  const pool = new Pool(url, { connections: clients });
  const samples: LoadSample[] = [];
  let issued = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && issued < maxRequests && performance.now() < deadline) {
      const body = options.body ?? READS[issued % READS.length]!;
      issued++;
      const start = performance.now();
      try {
        const res = await pool.request({
          path: '/',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
        });
        const text = await res.body.text();
        const upstream = res.headers['x-switchyard-upstream'];
        const ok = res.statusCode === 200 && text.includes('"result"');
        samples.push({
          startMs: start,
          latencyMs: performance.now() - start,
          ok,
          upstream: typeof upstream === 'string' ? upstream : undefined,
          ...(ok ? {} : { error: text.slice(0, 300) }),
        });
      } catch (err) {
        samples.push({
          startMs: start,
          latencyMs: performance.now() - start,
          ok: false,
          upstream: undefined,
          error: String(err),
        });
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, worker)).then(() => pool.close());
  return {
    samples,
    done,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
