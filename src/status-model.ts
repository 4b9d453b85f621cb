// The /status document: every chain, failure domain and upstream with its state. Built from live
// state on demand; upstream URLs appear only as a redacted origin.
import type { ChainRuntime } from './chain.js';
import type { Runtime } from './runtime.js';
import type { Upstream } from './upstream.js';

export function isUsable(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  if (u.wrongChain || u.health === 'down' || u.breakerState === 'open') return false;
  return u.domains.every((d) => chain.domainState(d, nowMs) !== 'open');
}

function upstreamStatus(chain: ChainRuntime, u: Upstream, nowMs: number) {
  return {
    name: u.name,
    url: u.redactedUrl,
    cloud: u.config.cloud,
    region: u.config.region,
    provider: u.config.provider,
    network: u.config.network ?? null,
    priority: u.config.priority,
    domains: u.domains,
    usable: isUsable(chain, u, nowMs),
    health: u.health,
    breaker: u.breakerState,
    wrongChain: u.wrongChain,
    reportedChainId: u.reportedChainId ?? null,
    head: u.head ?? null,
    lag: chain.lagOf(u) ?? null,
    lagging: (chain.lagOf(u) ?? 0) > chain.settings.health.maxBlockLag,
    throttled: u.isThrottled(nowMs),
    inFlight: u.inFlight,
    latencyMs: Math.round(u.latency.valueMs * 100) / 100,
    archive: u.archive ?? null,
    unsupportedMethods: [...u.unsupported].slice(0, 20),
    lastError: u.lastError ?? null,
    attempts: u.counts.attempts,
    failures: u.counts.failures,
  };
}

export function chainStatus(chain: ChainRuntime, nowMs: number) {
  const upstreams = chain.upstreams.map((u) => upstreamStatus(chain, u, nowMs));
  return {
    name: chain.name,
    chainId: chain.chainId,
    ready: upstreams.some((u) => u.usable),
    bestHead: chain.bestHead ?? null,
    domains: [...chain.domains.values()].map((d) => ({
      key: d.key,
      kind: d.key.split(':')[0],
      state: d.stateAt(nowMs),
      members: d.members,
      opens: d.opens,
    })),
    upstreams,
  };
}

export function statusDocument(runtime: Runtime, startedAtMs: number, version: string) {
  const nowMs = Date.now();
  return {
    version,
    uptimeSeconds: Math.round((nowMs - startedAtMs) / 1000),
    chains: [...runtime.chains.values()].map((c) => chainStatus(c, nowMs)),
  };
}
