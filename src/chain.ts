// One chain's runtime: its upstreams, its failure domains, the best head seen, recent latencies (for
// hedge and stall delays) and its retry budget.
import type { ChainConfig, Config } from './config.js';
import { type BreakerState, DomainBreaker, type TransitionListener } from './domain-breaker.js';
import { LatencyWindow } from './latency-window.js';
import { RetryBudget } from './retry-budget.js';
import { Upstream } from './upstream.js';

export class ChainRuntime {
  readonly name: string;
  readonly chainId: number;
  readonly upstreams: readonly Upstream[];
  readonly domains = new Map<string, DomainBreaker>();
  readonly budget: RetryBudget;
  /** Latency of successful attempts for the whole chain and per method label. */
  readonly latency: LatencyWindow;
  private readonly methodLatency = new Map<string, LatencyWindow>();
  /** Highest head handed out to clients; `latest` never goes below it (consistent reads). */
  servedHead = 0;

  constructor(
    readonly config: ChainConfig,
    readonly settings: Config,
    nowMs: number,
    onDomainTransition: TransitionListener = () => {},
    random: () => number = Math.random,
  ) {
    this.name = config.name;
    this.chainId = config.chainId;
    this.upstreams = config.upstreams.map((u) => new Upstream(u, config.name, settings, nowMs));
    const members = new Map<string, string[]>();
    for (const u of this.upstreams) {
      for (const key of u.domains) members.set(key, [...(members.get(key) ?? []), u.name]);
    }
    const onTransition: TransitionListener = (key, from, to, atMs) => {
      // Members of a domain that comes back ramp up (slow start) instead of taking a full share at once.
      if (to === 'closed')
        for (const u of this.upstreams) if (u.domains.includes(key)) u.recoveredAtMs = atMs;
      onDomainTransition(key, from, to, atMs);
    };
    for (const [key, names] of members) {
      this.domains.set(
        key,
        new DomainBreaker(key, names, { ...settings.breakers.domain, random }, onTransition),
      );
    }
    this.budget = new RetryBudget(
      settings.routing.retryBudget.ratio,
      settings.routing.retryBudget.minPerSecond,
      nowMs,
    );
    this.latency = new LatencyWindow(nowMs);
  }

  /** Best head among upstreams on the right chain. */
  get bestHead(): number | undefined {
    let best: number | undefined;
    for (const u of this.upstreams) {
      if (u.wrongChain || u.head === undefined) continue;
      if (best === undefined || u.head > best) best = u.head;
    }
    return best;
  }

  lagOf(upstream: Upstream): number | undefined {
    const best = this.bestHead;
    if (best === undefined || upstream.head === undefined) return undefined;
    return best - upstream.head;
  }

  domainsAdmit(upstream: Upstream, nowMs: number): boolean {
    for (const key of upstream.domains) if (!this.domains.get(key)!.admits(nowMs)) return false;
    return true;
  }

  domainState(key: string, nowMs: number): BreakerState {
    return this.domains.get(key)!.stateAt(nowMs);
  }

  methodWindow(label: string, nowMs: number): LatencyWindow {
    let w = this.methodLatency.get(label);
    if (!w) {
      w = new LatencyWindow(nowMs);
      this.methodLatency.set(label, w);
    }
    return w;
  }

  async close(): Promise<void> {
    await Promise.all(this.upstreams.map((u) => u.close()));
  }
}
