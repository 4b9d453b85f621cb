// The dispatcher: admits a call, builds its upstream body once and runs its attempt loop (call-run.ts,
// one attempt each in attempt-run.ts); owns the timing rules the loop follows (hedge and stall delays).

import { type RpcCall, upstreamRequestBody } from '../rpc/jsonrpc.js';
import { isHistoricalStateRead } from './archive-routing.js';
import type { CallAnswer, DispatchOptions } from './call-answer.js';
import type { DeadlineRun, HedgeTimed, StallTimed } from './call-host.js';
import { CallRun, overloaded } from './call-run.js';
import type { ChainRuntime } from './chain.js';
import { DeadlineQueue } from './deadline-queue.js';
import type { Observer } from './observer.js';
import { TimerBuckets } from './timer-buckets.js';
import type { Upstream } from './upstream.js';

/** Stall detection never fires sooner than this, whatever the observed latency. */
const MIN_STALL_MS = 50;
const STALL_FACTOR = 4;
const FALLBACK_STALL_MS = 1000;
/** A hedge waits at most this many times the tried upstream's own latency estimate (its stall factor too). */
const HEDGE_OWN_FACTOR = 4;

let nextUpstreamId = 1;

export class Dispatcher {
  /** Every call in flight, by deadline; the hedge and stall timers, by the millisecond they are due. */
  readonly deadlines: DeadlineQueue<DeadlineRun>;
  readonly hedgeTimers: TimerBuckets<HedgeTimed>;
  readonly stallTimers: TimerBuckets<StallTimed>;

  constructor(
    readonly observer: Observer,
    readonly now: () => number = Date.now,
    readonly random: () => number = Math.random,
  ) {
    this.deadlines = new DeadlineQueue((run) => run.onDeadline(), now);
    this.hedgeTimers = new TimerBuckets((run) => run.onHedgeTimer(), now);
    this.stallTimers = new TimerBuckets((attempt) => attempt.onStall(), now);
  }

  /**
   * Hedge delay: the method's recent p95 (chain-wide while it has too few samples), at most
   * HEDGE_OWN_FACTOR × the latency estimate of the upstream just tried, clamped. The chain's p95 mixes
   * every upstream (at a few reads a second mostly probe round trips, the slowest upstream's included):
   * a read sent to the fastest one should not wait out the slowest one's latency before hedging.
   */
  hedgeDelayMs(chain: ChainRuntime, label: string, tried?: Upstream): number {
    const { minDelayMs, maxDelayMs, quantile } = chain.settings.routing.hedge;
    const nowMs = this.now();
    let q =
      chain.methodWindow(label, nowMs).quantile(quantile, nowMs) ?? chain.latency.quantile(quantile, nowMs);
    if (tried !== undefined && tried.latency.valueMs > 0)
      q = Math.min(q ?? maxDelayMs, HEDGE_OWN_FACTOR * tried.latency.valueMs);
    // Whole milliseconds: Node keeps one timer list per distinct delay, and fractions make one each.
    return Math.ceil(Math.min(maxDelayMs, Math.max(minDelayMs, q ?? maxDelayMs)));
  }

  /**
   * After this long without an answer an attempt counts as failing for its failure domains: how a hung
   * region trips within milliseconds. Relative to the method's recent p99 and to the upstream's own
   * latency, so a merely slow upstream is not taken for a dead one.
   */
  stallAfterMs(chain: ChainRuntime, label: string, upstream: Upstream): number {
    const configured = chain.settings.breakers.upstream.stallAfterMs;
    const tryTimeout = chain.settings.routing.tryTimeoutMs;
    if (configured > 0) return Math.min(configured, tryTimeout);
    const nowMs = this.now();
    const p99 = chain.methodWindow(label, nowMs).quantile(0.99, nowMs) ?? chain.latency.quantile(0.99, nowMs);
    if (p99 === undefined) return Math.min(FALLBACK_STALL_MS, tryTimeout);
    // The estimate as of its last answer, not decayed while idle: an upstream that was slow and gets a
    // first call again must not have that call taken for a stall (and its region for a dead one).
    const typical = Math.max(p99, upstream.latency.valueMs);
    return Math.ceil(Math.min(tryTimeout, Math.max(MIN_STALL_MS, typical * STALL_FACTOR)));
  }

  needsArchive(chain: ChainRuntime, call: RpcCall): boolean {
    return chain.family.name === 'evm' && isHistoricalStateRead(chain, call.method, call.params);
  }

  dispatch(chain: ChainRuntime, call: RpcCall, options: DispatchOptions): Promise<CallAnswer> {
    const family = chain.family;
    const label = family.methodLabel(call.method);
    const startMs = this.now();
    if (!chain.admission.enter()) {
      this.observer.rejected?.('overloaded');
      this.observer.request(chain.name, label, 'error', 0);
      return Promise.resolve(overloaded(`${chain.name} carries ${chain.admission.inFlight} calls`));
    }
    chain.budget.recordRequest(startMs);
    const body = Buffer.from(upstreamRequestBody(call, nextUpstreamId++));
    const facts = family.methodFacts(call.method);
    const needsArchive = this.needsArchive(chain, call);
    const identityCall = isIdentityCall(chain, call);
    return new Promise<CallAnswer>((resolve) => {
      new CallRun(
        this,
        chain,
        call,
        options,
        label,
        facts,
        needsArchive,
        identityCall,
        body,
        startMs,
        resolve,
      );
    });
  }
}

/** The call is the family's identity probe (eth_chainId, getGenesisHash, getblockhash [0], status). */
function isIdentityCall(chain: ChainRuntime, call: RpcCall): boolean {
  const probe = chain.family.probes.identity;
  if (call.method !== probe.method) return false;
  const params = call.params ?? (Array.isArray(probe.params) ? [] : {});
  return JSON.stringify(params) === JSON.stringify(probe.params);
}
