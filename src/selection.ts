// Which upstreams may take the next attempt of a request, and which one does: hard rules (wrong
// chain, already tried, method unsupported), then health (breakers, domains, lag, throttling), with
// panic (use everything) when health would leave nothing; retries prefer an untried failure domain.

import { preferArchive } from './archive-routing.js';
import { pickP2C } from './balancer.js';
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';

export interface SelectionRequest {
  method: string;
  latestRead: boolean;
  needsArchive: boolean;
  /** Prefer upstreams whose last known head is at least this block (consistent reads). */
  minHead?: number | undefined;
  tried: ReadonlySet<Upstream>;
  triedDomains: ReadonlySet<string>;
}

export interface Selection {
  upstream: Upstream;
  /** Health filters left nothing, so every upstream that can serve was considered. */
  panic: boolean;
}

function servable(u: Upstream, req: SelectionRequest, anyVerified: boolean): boolean {
  if (u.wrongChain || req.tried.has(u) || u.unsupported.has(req.method)) return false;
  // Once some upstream has proven its chain id, unproven ones wait for their own check.
  if (anyVerified && u.reportedChainId === undefined) return false;
  return !(req.needsArchive && u.archive === false);
}

function healthy(chain: ChainRuntime, u: Upstream, req: SelectionRequest, nowMs: number): boolean {
  if (u.health === 'down' || !u.breakerAdmits || u.isThrottled(nowMs)) return false;
  if (req.latestRead) {
    const lag = chain.lagOf(u);
    if (lag !== undefined && lag > chain.settings.health.maxBlockLag) return false;
  }
  return chain.domainsAdmit(u, nowMs);
}

function sharesDomain(u: Upstream, domains: ReadonlySet<string>): boolean {
  for (const d of u.domains) if (domains.has(d)) return true;
  return false;
}

export function selectUpstream(
  chain: ChainRuntime,
  req: SelectionRequest,
  nowMs: number,
  random: () => number,
  restrictTo?: ReadonlySet<Upstream>,
): Selection | undefined {
  const all = restrictTo ? chain.upstreams.filter((u) => restrictTo.has(u)) : chain.upstreams;
  const anyVerified = chain.upstreams.some((u) => u.reportedChainId !== undefined && !u.wrongChain);
  const servableList = all.filter((u) => servable(u, req, anyVerified));
  if (servableList.length === 0) return undefined;
  let pool = servableList.filter((u) => healthy(chain, u, req, nowMs));
  const panic = pool.length === 0;
  if (panic) pool = servableList;
  if (req.needsArchive) pool = preferArchive(pool);
  const minHead = req.minHead;
  if (minHead !== undefined && minHead > 0) {
    const atHead = pool.filter((u) => u.head !== undefined && u.head >= minHead);
    if (atHead.length > 0) pool = atHead;
  }
  if (req.triedDomains.size > 0) {
    const elsewhere = pool.filter((u) => !sharesDomain(u, req.triedDomains));
    if (elsewhere.length > 0) pool = elsewhere;
  }
  const slowStartMs = chain.settings.routing.slowStartMs;
  const upstream = pickP2C(
    pool,
    (u) => u.config.priority,
    (u) => (u.latency.valueMs * (u.inFlight + 1)) / u.slowStartFactor(nowMs, slowStartMs),
    random,
  );
  return upstream && { upstream, panic };
}
