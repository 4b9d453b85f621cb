// A subscription feed's socket that drops or stays silent is evidence against its upstream and its
// failure domains, as a failed or hung HTTP attempt is: every family's feeds report it the same way.
import type { ChainRuntime } from '../routing/chain.js';
import type { Observer } from '../routing/observer.js';
import type { Upstream } from '../routing/upstream.js';

/** The feed's socket closed, was refused, or its subscription was refused. */
export function recordFeedDown(chain: ChainRuntime, upstream: Upstream, reason: string, nowMs: number): void {
  upstream.lastError = `subscription feed: ${reason}`;
  upstream.failures.record(nowMs);
  for (const key of upstream.domains) chain.domains.get(key)?.record(upstream.name, true, nowMs, nowMs);
}

/** The feed's socket is open but said nothing since `sinceMs` while other sources moved on: a stall. */
export function recordFeedSilent(
  chain: ChainRuntime,
  upstream: Upstream,
  reason: string,
  sinceMs: number,
  nowMs: number,
  observer: Observer,
): void {
  upstream.lastError = `subscription feed: ${reason}`;
  upstream.failures.record(nowMs);
  for (const key of upstream.domains) chain.domains.get(key)?.recordStall(upstream.name, nowMs, sinceMs);
  observer.stall(chain.name, upstream.name);
}
