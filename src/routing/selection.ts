// Which upstreams may take the next attempt of a request, and which one does: hard rules (wrong
// chain, already tried, method unsupported), then health (breakers, domains, lag, throttling), with
// panic (use everything) when health would leave nothing; retries prefer an untried failure domain.

import { preferArchive } from './archive-routing.js';
import { pickCheapest } from './balancer.js';
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';
import { hasRoom } from './upstream-room.js';

export interface SelectionRequest {
  method: string;
  latestRead: boolean;
  needsArchive: boolean;
  /** Prefer upstreams whose last known head is at least this block (consistent reads). */
  minHead?: number | undefined;
  tried: ReadonlySet<Upstream>;
  triedDomains: ReadonlySet<string>;
  /**
   * Set by selection when an upstream was passed over at its rate limit: milliseconds until the first
   * such one has room again (0: none was). Only those who wait for it reset it.
   */
  limitWaitMs?: number;
  /** Attempts of this call in flight (a hedge has one): a spent budget's provider is never a hedge. */
  readonly attemptsInFlight?: number;
}

export interface Selection {
  upstream: Upstream;
  /** Health filters left nothing, so every upstream that can serve was considered. */
  panic: boolean;
  /** Diversity caps that yielded for this pick (CAP_YIELD_BIT flags; 0: none). */
  capYields: number;
}

function servable(u: Upstream, req: SelectionRequest, anyVerified: boolean): boolean {
  if (u.wrongChain || req.tried.has(u) || u.unsupported.has(req.method) || u.config.shadow) return false;
  // Out of rotation after repeated disputes (src/routing/disputes.ts), like a wrong chain, until a probe agrees.
  if (u.disputes.distrusted) return false;
  // Once some upstream has proven its chain id, unproven ones wait for their own check.
  if (anyVerified && u.reportedIdentity === undefined) return false;
  return !(req.needsArchive && u.archive === false);
}

function healthy(
  chain: ChainRuntime,
  u: Upstream,
  req: SelectionRequest,
  nowMs: number,
  asProbe: boolean,
): boolean {
  if (u.isDown || !u.breakerAdmits || u.isThrottled(nowMs)) return false;
  if (chain.cordons.cordonOf(u, nowMs)) return false;
  if (req.latestRead) {
    const lag = chain.lagOf(u);
    if (lag !== undefined && lag > chain.settings.health.maxBlockLag) return false;
  }
  return asProbe ? chain.domainsAdmit(u, nowMs) : chain.domainsClosed(u, nowMs);
}

function sharesDomain(u: Upstream, domains: ReadonlySet<string>): boolean {
  for (const d of u.domains) if (domains.has(d)) return true;
  return false;
}

/** Under its rate limits now; otherwise notes in the request how soon it will be. */
function withinLimits(u: Upstream, req: SelectionRequest, nowMs: number): boolean {
  const limits = u.limits;
  if (limits === undefined || limits.allows(req.method, nowMs)) return true;
  const wait = Math.max(1, limits.waitMs(req.method, nowMs));
  if (!req.limitWaitMs || wait < req.limitWaitMs) req.limitWaitMs = wait;
  return false;
}

/**
 * Upstreams whose provider has budget left. With none left: the call waits for one at its rate limit
 * when there is one (empty pool); a hedge goes nowhere (an attempt is under way elsewhere); and only
 * when nothing else can take it at all does a spent provider serve it: a budget never fails a read
 * another upstream could answer, nor one no other can.
 */
function withinBudget(pool: Upstream[], req: SelectionRequest, nowMs: number): Upstream[] {
  const left = pool.filter((u) => u.limits === undefined || !u.limits.overBudget(req.method, nowMs));
  if (left.length > 0 || left.length === pool.length) return left;
  return req.limitWaitMs || req.attemptsInFlight ? left : pool;
}

const byPriority = (u: Upstream): number => u.config.priority;
const isRamping = (u: Upstream): boolean => u.ramp.startMs !== undefined;

/** A failure just now makes an upstream cost 5× as much; forgotten within a few seconds. */
const FAILURE_WEIGHT = 4;

/** Candidates within 25 % of the cheapest share the traffic: latency estimates are noisier than that. */
const NEAR_TIE = 0.25;

/**
 * Expected latency × load: the latency estimate as of now (Upstream.expectedLatencyMs: decayed while
 * idle, and raised once its oldest attempt in flight has waited more than twice it), raised by the
 * attempts in flight (doubled at `routing.inFlightScale` of them; 1 is tower's classic
 * latency × (in-flight + 1)). Slow start is a share, not a cost (src/routing/slow-start.ts).
 * A hosted provider serves far more calls at once than one balancer sends it, so a few in flight
 * should not send traffic to a provider twice as slow; a pile-up or a stall still should, and does. Recent failures multiply it
 * (src/routing/recent-failures.ts).
 */
function cost(chain: ChainRuntime, u: Upstream, nowMs: number): number {
  const load = 1 + u.inFlight / chain.settings.routing.inFlightScale;
  const failing = 1 + FAILURE_WEIGHT * u.failures.valueAt(nowMs);
  const pacing = u.limits === undefined ? 1 : u.limits.costFactor(nowMs);
  return u.expectedLatencyMs(nowMs) * load * failing * pacing;
}

export function selectUpstream(
  chain: ChainRuntime,
  req: SelectionRequest,
  nowMs: number,
  random: () => number,
  restrictTo?: ReadonlySet<Upstream>,
): Selection | undefined {
  const all = restrictTo ? chain.upstreams.filter((u) => restrictTo.has(u)) : chain.upstreams;
  const anyVerified = chain.upstreams.some((u) => u.reportedIdentity !== undefined && !u.wrongChain);
  // A full upstream (pool and its queue) is passed over like a tried one: waiting for it is a timeout.
  // So is one at its rate limit: the call waits for it only when no other can take it (call-run.ts).
  const servableList = all.filter(
    (u) => servable(u, req, anyVerified) && hasRoom(chain, u, nowMs) && withinLimits(u, req, nowMs),
  );
  if (servableList.length === 0) return undefined;
  // A client's call is a half-open domain's probe only when no closed domain can take it: health
  // checks probe those domains anyway, and a probe into a region that is still dead costs its caller
  // a hedge delay.
  let pool = servableList.filter((u) => healthy(chain, u, req, nowMs, false));
  if (pool.length === 0) pool = servableList.filter((u) => healthy(chain, u, req, nowMs, true));
  const panic = pool.length === 0;
  if (panic) pool = servableList;
  if (req.needsArchive) pool = preferArchive(pool);
  if (chain.budgeted) pool = withinBudget(pool, req, nowMs);
  // Another failure domain first, then the head preference within it: a hedge or retry follows a
  // stall or a failure, and a sibling in the same region is likely in the same trouble, while the
  // head of an upstream that carried no traffic lately is only as fresh as its last health check.
  if (req.triedDomains.size > 0) {
    const elsewhere = pool.filter((u) => !sharesDomain(u, req.triedDomains));
    if (elsewhere.length > 0) pool = elsewhere;
  }
  // A ramping upstream over its share waits, unless nothing else is left (everything came back at once).
  // No array is made when nothing ramps, the usual case.
  if (pool.some(isRamping)) {
    const slowStartMs = chain.settings.routing.slowStartMs;
    const inShare = pool.filter((u) => u.ramp.admits(nowMs, slowStartMs, chain.picks));
    if (inShare.length > 0) pool = inShare;
  }
  const minHead = req.minHead;
  if (minHead !== undefined && minHead > 0) {
    const atHead = pool.filter((u) => u.head !== undefined && u.head >= minHead);
    if (atHead.length > 0) pool = atHead;
  }
  // An upstream just back takes the next read it can serve, whatever the estimates say (they are
  // stale after an outage): a wallet at a few reads a second sees it carry reads at once, and a
  // failure of that read is retried elsewhere like any other.
  if (pool.some(isRamping)) {
    const fresh = pool.filter((u) => u.ramp.awaitsFirstPick(nowMs));
    if (fresh.length > 0) pool = fresh;
  }
  // Caps last: among the candidates every other rule allows. In panic they stand aside (no health left).
  const capYields = chain.shareCaps && !panic ? chain.shareCaps.keepUnderCap(pool, nowMs) : 0;
  const upstream = pickCheapest(pool, byPriority, (u) => cost(chain, u, nowMs), random, NEAR_TIE);
  return upstream && { upstream, panic, capYields };
}
