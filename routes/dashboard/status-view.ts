// The part of GET /status (src/status/status-model.ts) the dashboard page reads, as JSON.

type BreakerState = 'closed' | 'open' | 'half_open';

export interface UpstreamView {
  name: string;
  provider: string;
  network: string | null;
  cloud: string;
  region: string;
  usable: boolean;
  wrongChain: boolean;
  cordon: { note: string } | null;
  detection?: { state: string; reason: string | null } | null;
  health: string;
  breaker: BreakerState;
  lagging: boolean;
  throttled: boolean;
  lag: number | null;
  latencyMs: number;
  inFlight: number;
  share: number;
  lastError: string | null;
  /** Verified reads its answer lost; out of rotation after repeated ones (absent before issue 22). */
  disputes?: number;
  outOfRotation?: boolean;
}

export interface DomainView {
  key: string;
  kind: string;
  name: string;
  state: BreakerState;
  openedAt: string | null;
  opens: number;
  share: number;
  members: string[];
  cordon: { note: string } | null;
}

/** routing.maxShare of one dimension: the cap and each member's share against it. */
export interface ShareCapView {
  cap: number;
  shares: Record<string, number>;
  yields: number;
}

export interface FeedView {
  active: boolean;
  head: number | null;
  subscriptions: { newHeads: number; logs: number; newPendingTransactions: number };
  sources: { upstream: string; transport: string; connected: boolean; lastHead: number | null }[];
}

/** A family's own subscription feed (Solana PubSub, …): kinds are the family's. */
export interface FamilyFeedView {
  family: string;
  active: boolean;
  head: number | null;
  subscriptions: Record<string, number>;
  sources: { upstream: string; transport: string; connected: boolean; lastHead: number | null }[];
}

export interface ChainView {
  name: string;
  chainId: number | string;
  ready: boolean;
  bestHead: number | null;
  panic: string | null;
  upstreams: UpstreamView[];
  domains: DomainView[];
  feed: FeedView | null;
  familyFeed?: FamilyFeedView | null;
  traffic: { attempts: number; byCloud: Record<string, number>; byProvider: Record<string, number> };
  maxShare: { cloud?: ShareCapView; provider?: ShareCapView } | null;
  shadow?: ShadowView | null;
}

/** Shadow upstreams of a chain: per upstream and method, how copies of reads compared. */
export interface ShadowView {
  rate: number;
  upstreams: {
    name: string;
    methods: Record<string, { match: number; mismatch: number; error: number; meanLatencyMs: number | null }>;
  }[];
}

/** A provider's budget (`providers:`), as /status shows it. */
export interface ProviderView {
  name: string;
  budget: {
    credits: number;
    spent: number;
    remaining: number;
    projectedExhaustion: string | null;
    exhausted: boolean;
    pacing: number;
  } | null;
}

export interface StatusView {
  version: string;
  uptimeSeconds: number;
  configLoadedAt: string;
  webSocketConnections: number;
  draining: boolean;
  shareWindowSeconds: number;
  chains: ChainView[];
  providers?: ProviderView[];
}
