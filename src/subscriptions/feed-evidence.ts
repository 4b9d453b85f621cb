// What a subscription feed's trouble tells about its upstream, whatever the family: a dropped socket
// is a failed attempt against the upstream and its failure domains, a silent one (open, but quiet
// while others announce) is a stall, as a hung HTTP attempt is.
import type { ChainRuntime } from '../routing/chain.js';
import type { Observer } from '../routing/observer.js';
import type { Upstream } from '../routing/upstream.js';

export function recordFeedDown(chain: ChainRuntime, upstream: Upstream, reason: string, nowMs: number): void {
  upstream.lastError = `subscription feed: ${reason}`;
  upstream.failures.record(nowMs);
  for (const key of upstream.domains) chain.domains.get(key)?.record(upstream.name, true, nowMs, nowMs);
}

/** `since`: when the silence started to count. */
export function recordFeedSilent(
  chain: ChainRuntime,
  upstream: Upstream,
  since: number,
  nowMs: number,
  observer: Observer,
): void {
  upstream.lastError = 'subscription feed: silent while others announce blocks';
  upstream.failures.record(nowMs);
  for (const key of upstream.domains) chain.domains.get(key)?.recordStall(upstream.name, nowMs, since);
  observer.stall(chain.name, upstream.name);
}
