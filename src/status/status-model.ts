// The /status document: every chain, failure domain and upstream with its state. Built from live
// state on demand; upstream URLs appear only as a redacted origin.

import type { Cordon } from '../cordons/cordon-request.js';
import { redactUrl } from '../log/redact.js';
import type { ChainRuntime } from '../routing/chain.js';
import {
  SHARE_WINDOW_SECONDS,
  type ShareGroups,
  shareGroups,
  type TrafficMeter,
} from '../routing/traffic-share.js';
import type { Upstream } from '../routing/upstream.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ChainFeed } from '../subscriptions/chain-feed.js';
import type { FamilyFeedStatus } from '../subscriptions/family-subscriptions.js';
import { providersStatus, shadowStatus, upstreamLimitsStatus } from './limits-status.js';

/** What /status needs from the server besides the runtime (SwitchyardServer satisfies it). */
export interface StatusSource {
  readonly startedAtMs: number;
  readonly configLoadedAtMs: number;
  readonly traffic: TrafficMeter;
  readonly isDraining: boolean;
  /** Subscription feeds and WebSocket clients (src/subscriptions); absent in embedded use. */
  readonly websocket?: {
    readonly connectionCount: number;
    readonly subscriptions: { status(chain: string): FeedStatus | undefined };
    /** A family's own feed (Solana PubSub, …) of the chain, when it runs one. */
    familyStatus?(chain: string): FamilyFeedStatus | undefined;
  };
  /** Extra top-level sections (fleet, worker), each read when /status is built. */
  readonly statusSections?: ReadonlyMap<string, () => unknown>;
}

type FeedStatus = ReturnType<ChainFeed['status']>;

/** A chain nobody subscribes to has no feed running. */
const IDLE_FEED: FeedStatus = {
  active: false,
  head: null,
  headHash: null,
  subscriptions: { newHeads: 0, logs: 0, newPendingTransactions: 0 },
  sources: [],
};

export function isUsable(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  if (u.wrongChain || u.isDown || u.breakerState === 'open') return false;
  return u.domains.every((d) => chain.domainState(d, nowMs) !== 'open');
}

function upstreamStatus(chain: ChainRuntime, u: Upstream, nowMs: number, share: number) {
  return {
    name: u.name,
    url: u.redactedUrl,
    ws: u.config.ws === undefined ? null : redactUrl(u.config.ws),
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
    latencyMs: Math.round(u.latency.valueAt(nowMs) * 100) / 100,
    archive: u.archive ?? null,
    unsupportedMethods: [...u.unsupported].slice(0, 20),
    lastError: u.lastError ?? null,
    /** The detector's view: clear, suspect (probes under way) or down (confirmed), with why and since when. */
    detection: {
      state: u.detection.state,
      reason: u.detection.reason || null,
      since: u.detection.sinceMs === 0 ? null : new Date(u.detection.sinceMs).toISOString(),
    },
    cordon: cordonStatus(chain.cordons.cordonOf(u, nowMs)),
    attempts: u.counts.attempts,
    failures: u.counts.failures,
    /** Verified reads its answer lost (src/stages/verify/); outOfRotation after repeated ones. */
    disputes: u.disputes.count,
    outOfRotation: u.disputes.distrusted,
    share,
    /** Trialled on copies of reads only (`shadow: true`): never serves a client. */
    shadow: u.config.shadow,
    limits: upstreamLimitsStatus(u, nowMs),
  };
}

function cordonStatus(c: Cordon | undefined) {
  if (!c) return null;
  const note = c.reason ? `cordoned by operator: ${c.reason}` : 'cordoned by operator';
  return { target: c.target, reason: c.reason, note, expiresAt: new Date(c.expiresAtMs).toISOString() };
}

/** Why selection is in panic (uses every upstream), or null when some upstream may take traffic. */
function panicNote(upstreams: readonly { usable: boolean; cordon: unknown }[]): string | null {
  if (upstreams.some((u) => u.usable && u.cordon === null)) return null;
  if (upstreams.some((u) => u.usable)) {
    return 'every usable upstream is cordoned: the panic rule still uses them rather than answer nothing';
  }
  return 'no usable upstream: the panic rule uses every upstream';
}

/** Traffic share of `chain` over the last window, from the attempts recorded in `traffic`. */
export function chainShare(chain: ChainRuntime, traffic: TrafficMeter): ShareGroups {
  return shareGroups(
    chain.upstreams.map((u) => ({
      name: u.name,
      cloud: u.config.cloud,
      region: u.config.region,
      provider: u.config.provider,
    })),
    traffic.recent(chain.name),
  );
}

function chainStatus(
  chain: ChainRuntime,
  nowMs: number,
  traffic: TrafficMeter,
  feed = IDLE_FEED,
  familyFeed: FamilyFeedStatus | null = null,
) {
  const share = chainShare(chain, traffic);
  const upstreams = chain.upstreams.map((u) =>
    upstreamStatus(chain, u, nowMs, share.byUpstream[u.name] ?? 0),
  );
  return {
    name: chain.name,
    chainId: chain.chainId,
    ready: upstreams.some((u) => u.usable),
    panic: panicNote(upstreams),
    bestHead: chain.bestHead ?? null,
    traffic: {
      attempts: share.attempts,
      byCloud: share.byCloud,
      byRegion: share.byRegion,
      byProvider: share.byProvider,
    },
    /** routing.maxShare: each capped dimension's cap, yields and shares (null: no caps). */
    maxShare: chain.shareCaps?.statusAt(nowMs) ?? null,
    domains: [...chain.domains.values()].map((d) => {
      const colon = d.key.indexOf(':');
      const shareOf = d.members.reduce((sum, m) => sum + (share.byUpstream[m] ?? 0), 0);
      return {
        key: d.key,
        kind: d.key.slice(0, colon),
        name: d.key.slice(colon + 1),
        state: d.stateAt(nowMs),
        members: d.members,
        opens: d.opens,
        openedAt: d.openedAtMs === undefined ? null : new Date(d.openedAtMs).toISOString(),
        share: Math.round(shareOf * 10_000) / 10_000,
        cordon: cordonStatus(chain.cordons.cordonOn(d.key, nowMs)),
      };
    }),
    upstreams,
    /** The last disputed verified reads, newest first: each upstream's answer by digest. */
    lastDisputes: chain.lastDisputes,
    feed,
    /** Shadow upstreams: how their copies of sampled reads compared (null: none). */
    shadow: shadowStatus(chain),
    familyFeed,
  };
}

export function statusDocument(runtime: Runtime, source: StatusSource, version: string) {
  const nowMs = Date.now();
  return {
    version,
    uptimeSeconds: Math.round((nowMs - source.startedAtMs) / 1000),
    configLoadedAt: new Date(source.configLoadedAtMs).toISOString(),
    draining: source.isDraining,
    shareWindowSeconds: SHARE_WINDOW_SECONDS,
    webSocketConnections: source.websocket?.connectionCount ?? 0,
    chains: [...runtime.chains.values()].map((c) =>
      chainStatus(
        c,
        nowMs,
        source.traffic,
        source.websocket?.subscriptions.status(c.name),
        source.websocket?.familyStatus?.(c.name) ?? null,
      ),
    ),
    /** Provider limits and budgets (`providers:`): spend, remaining, projected exhaustion. */
    providers: providersStatus(runtime, nowMs),
    ...Object.fromEntries([...(source.statusSections ?? [])].map(([name, read]) => [name, read()])),
  };
}
