// `providers:` limits and budgets per provider (keyed by the upstreams' `provider` label, shared by all
// of that provider's upstreams on every chain), an upstream's own `rateLimit`, and `stateFile` (where
// budget spend is kept across restarts). Every key is optional; absent, nothing of it runs.
import { dirname, isAbsolute, join, parse } from 'node:path';
import { field, readSection } from './config-fields.js';
import type { Node } from './config-values.js';

export interface RateLimitConfig {
  /** Tokens per second: credits for a provider with weights, requests otherwise. */
  perSecond: number;
  /** Tokens that may be spent at once after a quiet spell; defaults to `perSecond`. */
  burst: number;
}

interface BudgetConfig {
  credits: number;
  /** The budget's period: the first starts when the budget is first seen, each runs this long. */
  periodMs: number;
}

export interface ProviderConfig {
  rateLimit: RateLimitConfig | undefined;
  budget: BudgetConfig | undefined;
  /** Credits per method; `default` (1 when absent) for the others. */
  weights: Readonly<Record<string, number>>;
}

const PERIOD_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_PERIOD_MS = 400 * 86_400_000;

export function readProviders(node: Node): Readonly<Record<string, ProviderConfig>> {
  const providers: Record<string, ProviderConfig> = {};
  if (node.missing) return providers;
  const names = Object.keys(node.object(Object.keys((node.value as object) ?? {})).value as object);
  for (const name of names) {
    providers[name] = readSection<ProviderConfig>(node.child(name), {
      rateLimit: field('rateLimit', readRateLimit),
      budget: field('budget', readBudget),
      weights: field('weights', readWeights),
    });
  }
  return providers;
}

export function readRateLimit(node: Node): RateLimitConfig | undefined {
  if (node.missing) return undefined;
  const limit = readSection<{ perSecond: number; burst: number | undefined }>(node, {
    perSecond: field('perSecond', (n) => n.number(undefined, 0.01, 10_000_000, false)),
    burst: field('burst', (n) => (n.missing ? undefined : n.number(undefined, 1, 100_000_000, false))),
  });
  return { perSecond: limit.perSecond, burst: limit.burst ?? Math.max(1, limit.perSecond) };
}

function readBudget(node: Node): BudgetConfig | undefined {
  if (node.missing) return undefined;
  return readSection<BudgetConfig>(node, {
    credits: field('credits', (n) => n.number(undefined, 1, Number.MAX_SAFE_INTEGER, false)),
    periodMs: field('per', readPeriod),
  });
}

/** `30d`, `24h`, `90m`, `3600s`: a budget period, from a minute to 400 days. */
function readPeriod(node: Node): number {
  const match =
    typeof node.value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(node.value) : null;
  const ms = match ? Math.round(Number(match[1]) * PERIOD_UNITS[match[2]!.toLowerCase()]!) : undefined;
  if (ms === undefined || ms < 60_000 || ms > MAX_PERIOD_MS)
    node.fail('expected a period like "30d", "24h" or "90m" (1m to 400d)');
  return ms;
}

function readWeights(node: Node): Readonly<Record<string, number>> {
  const weights: Record<string, number> = {};
  if (node.missing) return weights;
  node.object(Object.keys((node.value as object) ?? {}));
  for (const method of Object.keys(node.value as object)) {
    weights[method] = node.child(method).number(undefined, 0, 1_000_000, false);
  }
  return weights;
}

/** `stateFile`: relative to the config's folder; by default `<config name>.state.json` beside it. */
export function readStateFile(node: Node): string {
  const configFile = node.file;
  const base = dirname(configFile);
  if (node.missing) return join(base, `${parse(configFile).name}.state.json`);
  const path = node.string();
  return isAbsolute(path) ? path : join(base, path);
}
