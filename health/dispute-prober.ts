// Runs the dispute probe (probes/dispute-probe.ts) for every upstream out of rotation after repeated
// disputes whose probe is due (src/routing/disputes.ts keeps the minimum time out and the backoff): an
// agreeing probe puts it back. A pass every second costs a walk over the upstreams and nothing else
// while none is distrusted.
import type { Logger } from '../src/log/logger.js';
import type { ChainRuntime } from '../src/routing/chain.js';
import type { Upstream } from '../src/routing/upstream.js';
import { probeDisputed } from './probes/dispute-probe.js';

const PASS_MS = 1000;

export class DisputeProber {
  private timer: NodeJS.Timeout | undefined;
  private readonly probing = new Set<Upstream>();

  constructor(
    private readonly chains: readonly ChainRuntime[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pass(Date.now()), PASS_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Probes every distrusted upstream whose probe is due at `nowMs`; resolves when they answered. */
  async pass(nowMs: number): Promise<void> {
    const runs: Promise<void>[] = [];
    for (const chain of this.chains) {
      for (const u of chain.upstreams) {
        if (u.disputes.probeDue(nowMs) && !this.probing.has(u)) runs.push(this.probe(chain, u, nowMs));
      }
    }
    await Promise.all(runs);
  }

  private async probe(chain: ChainRuntime, u: Upstream, nowMs: number): Promise<void> {
    this.probing.add(u);
    try {
      const verdict = await probeDisputed(chain, u, chain.settings.health.timeoutMs);
      const back = u.disputes.probed(verdict === 'agrees', nowMs);
      const fields = { chain: chain.name, upstream: u.name, verdict };
      if (back) this.logger.info('upstream back in rotation: a dispute probe agreed', fields);
      else this.logger.debug('upstream stays out of rotation after a dispute probe', fields);
    } finally {
      this.probing.delete(u);
    }
  }
}
