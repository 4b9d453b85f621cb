// The demo's gentle read load: a few reads a second through the balancer's own HTTP port, so the
// dashboard has traffic to move when a region fails. Bounded in time and count; a tally of answers
// per reporting period is what the demo prints.
import { Pool } from 'undici';

export interface DemoLoadOptions {
  ratePerSecond: number;
  /** The load stops by itself after this long (the demo keeps running). */
  maxMs: number;
  /** Calls waiting for an answer at most; beyond it a tick is skipped, so a hang cannot pile up calls. */
  maxInFlight: number;
}

export interface Tally {
  ok: number;
  failed: number;
}

const READS = [
  '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
  '{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","latest"]}',
  '{"jsonrpc":"2.0","id":3,"method":"eth_gasPrice","params":[]}',
  '{"jsonrpc":"2.0","id":4,"method":"eth_getBlockByNumber","params":["latest",false]}',
];

export class DemoLoad {
  private readonly pool: Pool;
  private readonly timer: NodeJS.Timeout;
  private readonly stopAt: number;
  private readonly maxRequests: number;
  private sent = 0;
  private inFlight = 0;
  private tally: Tally = { ok: 0, failed: 0 };
  private idle: (() => void) | undefined;

  constructor(
    url: string,
    private readonly options: DemoLoadOptions,
  ) {
    this.pool = new Pool(url, { connections: options.maxInFlight });
    this.stopAt = Date.now() + options.maxMs;
    this.maxRequests = Math.ceil((options.maxMs / 1000) * options.ratePerSecond);
    this.timer = setInterval(() => this.tick(), 1000 / options.ratePerSecond);
  }

  get running(): boolean {
    return this.sent < this.maxRequests && Date.now() < this.stopAt;
  }

  /** Answers since the last call. */
  takeTally(): Tally {
    const t = this.tally;
    this.tally = { ok: 0, failed: 0 };
    return t;
  }

  /** Stops sending, waits for the calls in flight, closes the connections. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.pool.close();
  }

  private tick(): void {
    if (!this.running) {
      clearInterval(this.timer);
      return;
    }
    if (this.inFlight >= this.options.maxInFlight) return;
    const body = READS[this.sent++ % READS.length]!;
    this.inFlight++;
    this.pool
      .request({ path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        const text = await res.body.text();
        return res.statusCode === 200 && text.includes('"result"');
      })
      .catch(() => false)
      .then((ok) => {
        if (ok) this.tally.ok++;
        else this.tally.failed++;
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
      });
  }
}
