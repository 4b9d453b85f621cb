// Prometheus series of provider budgets and limits, auto-tuned rates and shadow upstreams: budget
// gauges read at scrape time from the runtime in use; shadow comparisons counted as they happen.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BudgetPacer } from '../routing/budget-pacer.js';
import type { Runtime } from '../runtime/runtime.js';

const SHADOW_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Fill = (
  set: (labels: Record<string, string>, value: number) => void,
  runtime: Runtime,
  nowMs: number,
) => void;

export function limitsMetrics(registers: Registry[], runtime: () => Runtime | undefined) {
  const gauge = (name: string, help: string, labelNames: string[], fill: Fill) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const r = runtime();
        if (r) fill((labels, value) => this.set(labels, value), r, Date.now());
      },
    });
  const eachBudget = (visit: (provider: string, pacer: BudgetPacer) => void, r: Runtime) => {
    for (const [name, account] of r.providers) if (account.pacer) visit(name, account.pacer);
  };
  gauge(
    'switchyard_provider_budget_credits',
    'Budget of each provider for its period, in credits',
    ['provider'],
    (set, r) => eachBudget((provider, p) => set({ provider }, p.credits), r),
  );
  gauge(
    'switchyard_provider_budget_spent_credits',
    "Credits each provider's budget has spent this period (the fleet's, in fleet mode)",
    ['provider'],
    (set, r, nowMs) =>
      eachBudget((provider, p) => {
        p.exhausted(nowMs);
        set({ provider }, p.spent);
      }, r),
  );
  gauge(
    'switchyard_provider_budget_remaining_credits',
    "Credits left in each provider's budget this period",
    ['provider'],
    (set, r, nowMs) =>
      eachBudget((provider, p) => {
        p.exhausted(nowMs);
        set({ provider }, p.remaining);
      }, r),
  );
  gauge(
    'switchyard_provider_budget_projected_credits',
    'Spend projected to the end of the period at the recent rate',
    ['provider'],
    (set, r, nowMs) => eachBudget((provider, p) => set({ provider }, p.projectedSpend(nowMs)), r),
  );
  gauge(
    'switchyard_provider_budget_exhaustion_timestamp_seconds',
    'When the budget runs out at the recent rate, Unix seconds (absent: it lasts the period)',
    ['provider'],
    (set, r, nowMs) =>
      eachBudget((provider, p) => {
        const at = p.exhaustionAtMs(nowMs);
        if (at !== undefined) set({ provider }, at / 1000);
      }, r),
  );
  gauge(
    'switchyard_upstream_rate_limit',
    'Requests per second an upstream may be sent: its configured rateLimit (source=config) and the rate auto-tune settled on (source=tuned)',
    ['chain', 'upstream', 'source'],
    (set, r) => {
      for (const chain of r.chains.values()) {
        for (const u of chain.upstreams) {
          const base = { chain: chain.name, upstream: u.name };
          const own = u.limits?.own;
          if (own) set({ ...base, source: 'config' }, own.ratePerSecond);
          const tuned = u.tuner?.rate;
          if (tuned !== undefined) set({ ...base, source: 'tuned' }, tuned);
        }
      }
    },
  );
  const shadowReads = new Counter({
    name: 'switchyard_shadow_reads_total',
    help: "Copies of reads sent to shadow upstreams, by result: match, mismatch (with the answer served), error, skipped (at the shadow's limit or down)",
    labelNames: ['chain', 'upstream', 'method', 'result'],
    registers,
  });
  const shadowSeconds = new Histogram({
    name: 'switchyard_shadow_duration_seconds',
    help: "Latency of shadow upstreams' answers to copies of reads",
    labelNames: ['chain', 'upstream', 'method'],
    buckets: SHADOW_BUCKETS,
    registers,
  });
  return {
    shadowRead(chain: string, upstream: string, method: string, result: string, latencyMs: number): void {
      shadowReads.inc({ chain, upstream, method, result });
      if (result === 'match' || result === 'mismatch')
        shadowSeconds.observe({ chain, upstream, method }, latencyMs / 1000);
    },
  };
}
