// The /status sections of provider budgets and limits, each upstream's limits and auto-tuned rate, and
// each chain's shadow upstreams (mismatches and latency per method). Read from live state on demand.
import type { ChainRuntime } from '../routing/chain.js';
import type { ProviderAccount } from '../routing/provider-account.js';
import type { Upstream } from '../routing/upstream.js';
import type { Runtime } from '../runtime/runtime.js';

const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function providerStatus(runtime: Runtime, account: ProviderAccount, nowMs: number) {
  const { bucket, pacer } = account;
  // Reading whether it is spent moves the budget into the period `nowMs` is in, before its dates are read.
  const exhausted = pacer?.exhausted(nowMs);
  const upstreams = [...runtime.chains.values()].flatMap((c) =>
    c.upstreams.filter((u) => u.config.provider === account.name).map((u) => u.name),
  );
  return {
    name: account.name,
    upstreams,
    rateLimit: bucket
      ? { perSecond: bucket.ratePerSecond, burst: bucket.burst, available: round(bucket.available(nowMs)) }
      : null,
    weights: account.config.weights,
    budget: pacer
      ? {
          credits: pacer.credits,
          periodSeconds: pacer.periodMs / 1000,
          periodStart: iso(pacer.periodStartMs),
          periodEnd: iso(pacer.periodEndMs),
          spent: round(pacer.spent),
          remaining: round(pacer.remaining),
          ratePerSecond: round(pacer.rate(nowMs), 3),
          projectedSpend: round(pacer.projectedSpend(nowMs)),
          /** When the budget runs out at the recent rate (null: it lasts the period). */
          projectedExhaustion: iso(pacer.exhaustionAtMs(nowMs)),
          exhausted,
          /** Selection cost multiplier from pacing (1: within the budget's pace). */
          pacing: round(pacer.costFactor(nowMs), 3),
        }
      : null,
  };
}

/** `providers`: one entry per configured provider (empty without a `providers:` section). */
export function providersStatus(runtime: Runtime, nowMs: number) {
  return [...runtime.providers.values()].map((a) => providerStatus(runtime, a, nowMs));
}

/** An upstream's own rate limit, its auto-tuned rate and its throttling answers. */
export function upstreamLimitsStatus(u: Upstream, nowMs: number) {
  const own = u.limits?.own;
  const tuner = u.tuner;
  return {
    rateLimit: own
      ? { perSecond: own.ratePerSecond, burst: own.burst, available: round(own.available(nowMs)) }
      : null,
    /** Requests a second auto-tune settled on (null: never throttled, or auto-tune off). */
    tunedRate: tuner?.rate === undefined ? null : round(tuner.rate),
    throttles: tuner?.throttles ?? 0,
    decreases: tuner?.decreases ?? 0,
  };
}

/** `shadow` of a chain: the sample rate and, per shadow upstream and method, how its copies compared. */
export function shadowStatus(chain: ChainRuntime) {
  const shadows = chain.shadows;
  if (!shadows) return null;
  return {
    rate: shadows.rate,
    upstreams: shadows.shadows.map((u) => {
      const methods: Record<string, unknown> = {};
      for (const [label, s] of shadows.stats.get(u.name) ?? []) {
        const answered = s.match + s.mismatch;
        methods[label] = {
          match: s.match,
          mismatch: s.mismatch,
          error: s.error,
          skipped: s.skipped,
          mismatchRate: answered === 0 ? null : round(s.mismatch / answered, 4),
          meanLatencyMs: answered === 0 ? null : round(s.latencyMsSum / answered),
          maxLatencyMs: round(s.latencyMsMax),
          lastMismatch: s.lastMismatch ?? null,
        };
      }
      return { name: u.name, methods };
    }),
  };
}
