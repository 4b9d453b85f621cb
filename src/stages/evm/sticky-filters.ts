// Filters live on the node that created them. eth_newFilter / eth_newBlockFilter /
// eth_newPendingTransactionFilter go anywhere; the id the client gets is Switchyard's own, mapped to
// (upstream, upstream's id), so ids from different nodes never collide ("0x1" on two hardhat nodes).
// eth_getFilterChanges / eth_getFilterLogs / eth_uninstallFilter go to that upstream only. When the id
// is unknown or idle too long, or its upstream is gone (unreachable, down, breaker or domain open,
// removed by a reload), the answer is the standard "filter not found" (-32000): clients such as viem
// then create a new filter, which lands on a healthy upstream.
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { methodFacts } from '../../families/evm/methods.js';
import type { MethodFacts } from '../../families/family.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import type { ChainRuntime } from '../../routing/chain.js';
import type { Upstream } from '../../routing/upstream.js';
import { catalogueError, ERRORS } from '../../rpc/errors.js';
import type { CallContext, CallStage } from '../call-pipeline.js';
import { dispatchCall, errorFields, resultAnswer } from '../stage-calls.js';

/** geth drops a filter nobody polled for 5 minutes; so does the mapping. */
const FILTER_IDLE_MS = 5 * 60_000;
/** Filters remembered per chain; the least recently used go first. */
const MAX_FILTERS = 10_000;

/** How nodes say they do not know a filter id: geth/erigon/besu/anvil, nethermind. */
const NODE_FILTER_NOT_FOUND = /filter not found|filter with id: .* does not exist|unknown filter/i;

interface FilterEntry {
  upstream: Upstream;
  upstreamId: string;
}

export class FilterRegistry {
  private readonly entries: LRUCache<string, FilterEntry>;

  constructor(idleMs = FILTER_IDLE_MS, max = MAX_FILTERS, now: () => number = () => performance.now()) {
    // ttlResolution 0: read the clock on every lookup (an injected clock must be seen at once).
    this.entries = new LRUCache({ max, ttl: idleMs, ttlResolution: 0, updateAgeOnGet: true, perf: { now } });
  }

  /** Remembers a filter the upstream created and returns the id handed to the client. */
  add(upstream: Upstream, upstreamId: string): string {
    const id = `0x${randomBytes(16).toString('hex')}`;
    this.entries.set(id, { upstream, upstreamId });
    return id;
  }

  /** The filter behind a client id; using it restarts its idle time. */
  get(id: string): FilterEntry | undefined {
    return this.entries.get(id.toLowerCase());
  }

  delete(id: string): void {
    this.entries.delete(id.toLowerCase());
  }

  get size(): number {
    return this.entries.size;
  }
}

const registries = new WeakMap<ChainRuntime, FilterRegistry>();

/** The chain's filter registry (one per chain runtime: a reload starts empty, clients recreate). */
export function filterRegistryOf(chain: ChainRuntime): FilterRegistry {
  let registry = registries.get(chain);
  if (!registry) {
    registry = new FilterRegistry();
    registries.set(chain, registry);
  }
  return registry;
}

/** The filter's upstream still exists and still takes traffic. */
function usable(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  return (
    chain.upstreams.includes(u) &&
    !u.wrongChain &&
    u.health !== 'down' &&
    u.breakerState !== 'open' &&
    chain.domainsAdmit(u, nowMs)
  );
}

/** The upstream answered that it does not know the id, or could not be reached at all. */
function filterGone(answer: Extract<CallAnswer, { kind: 'error' }>): boolean {
  const { code, text, data } = errorFields(answer);
  if (answer.outcome !== undefined) return NODE_FILTER_NOT_FOUND.test(text);
  if (code === ERRORS.NO_UPSTREAM.rpcCode) return true;
  if (code !== ERRORS.UPSTREAMS_FAILED.rpcCode) return false;
  const attempts = (data as { attempts?: { outcome?: string }[] } | undefined)?.attempts ?? [];
  return attempts.length > 0 && attempts.every((a) => a.outcome === 'connect_error');
}

function notFound(method: string): CallAnswer {
  // geth answers an unknown id to eth_uninstallFilter with false, not an error: the filter is gone.
  if (method === 'eth_uninstallFilter') return resultAnswer(false, undefined);
  return { kind: 'error', raw: catalogueError('FILTER_NOT_FOUND'), upstream: undefined };
}

export const stickyFiltersStage: CallStage = (ctx, next) => {
  const sticky = methodFacts(ctx.call.method).sticky;
  // Not a filter call (nearly every call): passed on without an async frame of its own.
  return sticky ? stickyCall(ctx, next, sticky) : next();
};
stickyFiltersStage.appliesTo = (_family, method) => methodFacts(method).sticky !== undefined;

async function stickyCall(
  ctx: CallContext,
  next: () => Promise<CallAnswer>,
  sticky: NonNullable<MethodFacts['sticky']>,
): Promise<CallAnswer> {
  const { chain, call } = ctx;
  const registry = filterRegistryOf(chain);

  if (sticky === 'create-filter') {
    const answer = await next();
    if (answer.kind !== 'result' || typeof answer.value !== 'string') return answer;
    const upstream = chain.upstreams.find((u) => u.name === answer.upstream);
    if (!upstream) return answer;
    return resultAnswer(registry.add(upstream, answer.value), upstream.name);
  }

  const params = Array.isArray(call.params) ? call.params : [];
  const id = params[0];
  if (typeof id !== 'string') return next(); // malformed: the node's "invalid params" answers it
  const entry = registry.get(id);
  if (!entry || !usable(chain, entry.upstream, Date.now())) {
    registry.delete(id);
    return notFound(call.method);
  }
  const upstreamParams = [entry.upstreamId, ...params.slice(1)];
  const upstreamCall = { ...call, params: upstreamParams, paramsRaw: JSON.stringify(upstreamParams) };
  const answer = await dispatchCall(ctx, upstreamCall, {
    restrictTo: new Set([entry.upstream]),
    hedge: false,
  });
  if (answer.kind === 'result') {
    if (call.method === 'eth_uninstallFilter') registry.delete(id);
    return answer;
  }
  if (filterGone(answer)) {
    registry.delete(id);
    return notFound(call.method);
  }
  return answer;
}
