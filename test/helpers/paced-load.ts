// An open-loop read load for tests: `rate` calls a second for `ms`, each sent on time whatever the
// answers before it (a provider's limit is about the rate, not about how many wait). Bounded by count.
import { Pool } from 'undici';

export interface PacedAnswer {
  sentAtMs: number;
  latencyMs: number;
  ok: boolean;
  upstream: string | undefined;
  /** The JSON-RPC error's data.name or message when not ok. */
  error: string | undefined;
}

const DEFAULT_BODY = (i: number) =>
  `{"jsonrpc":"2.0","id":${i},"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","latest"]}`;

export async function pacedLoad(
  url: string,
  rate: number,
  ms: number,
  body: (i: number) => string = DEFAULT_BODY,
): Promise<PacedAnswer[]> {
  const pool = new Pool(url, { connections: 64 });
  const answers: PacedAnswer[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const count = Math.min(100_000, Math.round((rate * ms) / 1000));
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAtMs = performance.now();
    pending.push(
      pool
        .request({
          path: '/',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body(i),
        })
        .then(async (res) => {
          const text = await res.body.text();
          const ok = res.statusCode === 200 && text.includes('"result"');
          const upstream = res.headers['x-switchyard-upstream'];
          answers.push({
            sentAtMs,
            latencyMs: performance.now() - sentAtMs,
            ok,
            upstream: typeof upstream === 'string' ? upstream : undefined,
            error: ok ? undefined : text.slice(0, 300),
          });
        })
        .catch((err: unknown) => {
          answers.push({ sentAtMs, latencyMs: 0, ok: false, upstream: undefined, error: String(err) });
        }),
    );
  }
  await Promise.all(pending);
  await pool.close();
  return answers;
}
