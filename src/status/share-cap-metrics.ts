// Prometheus series of the diversity caps (routing.maxShare, src/routing/share-caps.ts): how often a cap
// yielded in an outage, each cap, and each cloud's and provider's share as the caps count it.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CapDimension } from '../routing/share-caps.js';
import type { Runtime } from '../runtime/runtime.js';

export function shareCapMetrics(registers: Registry[], runtime: () => Runtime | undefined) {
  const yields = new Counter({
    name: 'switchyard_share_cap_yields_total',
    help: 'Picks where a routing.maxShare cap yielded: every candidate was over it (an outage), so it was ignored',
    labelNames: ['chain', 'by'],
    registers,
  });
  /** Visits every capped dimension of every chain of the runtime in use. */
  const eachCap = (
    visit: (chain: string, by: CapDimension, status: { cap: number; shares: Record<string, number> }) => void,
  ) => {
    const nowMs = Date.now();
    for (const chain of runtime()?.chains.values() ?? []) {
      const caps = chain.shareCaps?.statusAt(nowMs) ?? {};
      for (const [by, status] of Object.entries(caps)) visit(chain.name, by as CapDimension, status);
    }
  };
  new Gauge({
    name: 'switchyard_share_cap_ratio',
    help: 'The routing.maxShare cap of each capped dimension (cloud, provider)',
    labelNames: ['chain', 'by'],
    registers,
    collect() {
      this.reset();
      eachCap((chain, by, { cap }) => this.set({ chain, by }, cap));
    },
  });
  new Gauge({
    name: 'switchyard_share_capped_ratio',
    help: 'Share of attempts over the last 10 s of each cloud or provider, as the routing.maxShare caps count it',
    labelNames: ['chain', 'by', 'key'],
    registers,
    collect() {
      this.reset();
      eachCap((chain, by, { shares }) => {
        for (const [key, share] of Object.entries(shares)) this.set({ chain, by, key }, share);
      });
    },
  });
  return {
    yielded(chain: string, by: CapDimension): void {
      yields.inc({ chain, by });
    },
  };
}
