// What the core reports as it works. metrics.ts turns these into Prometheus series; tests and the
// status page can listen too. The core never imports prom-client itself.

import type { Outcome } from '../rpc/outcome.js';
import type { DetectionState } from './detection.js';

/** How a verified read went for one upstream (or, unverified, for the read). */
type VerifyResult = 'verified' | 'disputed' | 'unverified';

export type AttemptKind = 'primary' | 'retry' | 'hedge';

/** Why Switchyard answered a request itself instead of sending it upstream (src/app/operations.ts). */
export type RejectReason = 'unauthorized' | 'rate_limited' | 'method_denied' | 'overloaded';

/** What happened to a chain's subscription feed (src/subscriptions/chain-feed.ts). */
export type FeedEvent =
  | 'backfilled_block'
  | 'backfilled_log'
  | 'reorg'
  | 'orphaned_block'
  | 'skipped_block'
  | 'source_down'
  | 'source_silent'
  // Solana feeds (src/subscriptions/solana/): an HTTP re-read after a failover, and logs backfill
  // slots skipped beyond subscriptions.solanaLogsBackfill.
  | 'reread'
  | 'skipped_slot';

/** Why Switchyard closed a client's WebSocket (src/server/ws-endpoint.ts). */
type WebSocketCloseReason = 'slow_consumer' | 'ping_timeout' | 'shutdown' | 'chain_removed';

/**
 * An attempt as tracing sees it (src/routing/attempt-run.ts): the call it serves (one object per
 * dispatched call, the same for its retries and hedges), its upstream and its kind.
 */
export interface AttemptView {
  readonly owner: object;
  readonly upstream: { readonly name: string; readonly domains: readonly string[] };
  readonly kind: AttemptKind;
}

export interface Observer {
  attempt(
    chain: string,
    upstream: string,
    method: string,
    outcome: Outcome,
    latencyMs: number,
    kind: AttemptKind,
  ): void;
  request(chain: string, method: string, result: 'ok' | 'error', latencyMs: number): void;
  /** A hedge was sent; `won` tells later whether its answer was the one used. */
  hedge(chain: string, won: boolean): void;
  retry(chain: string): void;
  panic(chain: string): void;
  stall(chain: string, upstream: string): void;
  breakerTransition(kind: 'upstream' | 'domain', chain: string, key: string, from: string, to: string): void;
  healthCheck(chain: string, upstream: string, probe: string, ok: boolean): void;
  /** Optional: a call or request was refused before any upstream saw it. */
  rejected?(reason: RejectReason): void;
  /** Optional: a request carried a valid API key (`name` from config, never the key itself). */
  apiKeyRequest?(name: string, allowed: boolean): void;
  /** Optional: a config reload was applied (ok) or rejected. */
  configReload?(ok: boolean): void;
  /** Optional: a diversity cap (routing.maxShare) yielded: every candidate was over it. */
  shareCapYield?(chain: string, by: 'cloud' | 'provider'): void;
  /** Optional: an upstream was found answering for another chain (health check or live eth_chainId). */
  wrongChain?(chain: string, upstream: string, reportedChainId: number | undefined): void;
  /** Optional: the detector (health/detector.ts) moved an upstream to suspect, down or clear. */
  detection?(chain: string, upstream: string, state: DetectionState): void;
  /** Optional: a response-cache lookup for a cacheable call (src/stages/evm/response-cache.ts): hit or miss. */
  cacheLookup?(chain: string, hit: boolean): void;
  /** Optional: `count` subscription notifications of `kind` were sent. */
  notifications?(chain: string, kind: string, count: number): void;
  /** Optional: the subscription feed of `chain` backfilled, reorged, skipped or lost a source. */
  feedEvent?(chain: string, event: FeedEvent, count: number): void;
  /**
   * Optional: a verified read (src/stages/verify/) ended: `verified` for each upstream whose answer
   * counted, `disputed` for each whose answer lost or failed its check, `unverified` once per read that
   * could not be verified (upstream: '').
   */
  verifiedRead?(chain: string, upstream: string, result: VerifyResult): void;
  /** Optional: Switchyard closed a client's WebSocket. */
  websocketClosed?(reason: WebSocketCloseReason): void;
  /** Optional: a shadow upstream's copy of a read (src/routing/shadow-reads.ts) was compared, failed or skipped. */
  shadowRead?(
    chain: string,
    upstream: string,
    method: string,
    result: 'match' | 'mismatch' | 'error' | 'skipped',
    latencyMs: number,
  ): void;
  /** Optional (tracing): an attempt left for its upstream. */
  attemptStarted?(attempt: AttemptView): void;
  /** Optional (tracing): the attempt stalled; a retry elsewhere may follow at once. */
  attemptStalled?(attempt: AttemptView): void;
  /** Optional (tracing): how the attempt ended (after `attempt`, before its call hears of it). */
  attemptEnded?(attempt: AttemptView, outcome: Outcome, detail: string): void;
}

export const nullObserver: Observer = {
  attempt() {},
  request() {},
  hedge() {},
  retry() {},
  panic() {},
  stall() {},
  breakerTransition() {},
  healthCheck() {},
};

/**
 * One observer telling both `first` and `second` of every event either listens to (e.g. the metrics'
 * and a library user's own). Methods are looked up once, along each one's prototype chain (class
 * instances and `Object.create` wrappers included).
 */
export function observeBoth(first: Observer, second: Observer): Observer {
  const both: Record<string, (...args: unknown[]) => void> = {};
  for (const name of new Set([...methodNames(first), ...methodNames(second)])) {
    const a = (first as unknown as Record<string, unknown>)[name];
    const b = (second as unknown as Record<string, unknown>)[name];
    if (typeof a === 'function' && typeof b === 'function')
      both[name] = (...args) => {
        a.apply(first, args);
        b.apply(second, args);
      };
    else if (typeof a === 'function') both[name] = (...args) => a.apply(first, args);
    else if (typeof b === 'function') both[name] = (...args) => b.apply(second, args);
  }
  return both as unknown as Observer;
}

function methodNames(observer: Observer): string[] {
  const names: string[] = [];
  for (let o: object | null = observer; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o))
    for (const name of Object.getOwnPropertyNames(o))
      if (
        name !== 'constructor' &&
        typeof (observer as unknown as Record<string, unknown>)[name] === 'function'
      )
        names.push(name);
  return names;
}
