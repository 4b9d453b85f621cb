// One chain's runtime: its upstreams, its failure domains, the best head seen, recent latencies (for
// hedge and stall delays) and its retry budget.
import type { ChainConfig, Config } from '../config/config.js';
import { type CordonView, NO_CORDONS } from '../cordons/cordon-book.js';
import type { ChainFamily } from '../families/family.js';
import { FAMILIES } from '../families/registry.js';
import { CallAdmission } from './admission.js';
import type { DisputeRecord } from './disputes.js';
import { type BreakerState, DomainBreaker, type TransitionListener } from './domain-breaker.js';
import { HeadHistory } from './head-history.js';
import { LatencyWindow } from './latency-window.js';
import type { Observer } from './observer.js';
import type { ProviderAccount } from './provider-account.js';
import { RateTuner } from './rate-tuner.js';
import { RetryBudget } from './retry-budget.js';
import { ShadowReads } from './shadow-reads.js';
import { ShareCaps } from './share-caps.js';
import { NO_SUSPICION, type SuspicionSink } from './suspicion.js';
import { Upstream, upstreamSetup } from './upstream.js';
import { UpstreamLimits } from './upstream-limits.js';

export class ChainRuntime {
  readonly name: string;
  /** EVM chain id (undefined for other families). */
  readonly chainId: number | undefined;
  /** What the chain's family knows: probes, method facts, error rows, submission. */
  readonly family: ChainFamily;
  /** The identity every upstream must report (family-specific: chain id, genesis hash, network). */
  readonly identity: string;
  readonly upstreams: readonly Upstream[];
  readonly domains = new Map<string, DomainBreaker>();
  /** Each upstream's failure-domain breakers, in its `domains` order: attempts report to them directly. */
  private readonly breakersOf = new Map<Upstream, readonly DomainBreaker[]>();
  readonly budget: RetryBudget;
  /** Attempts launched on this chain: what a ramping upstream's share is a share of. */
  picks = 0;
  /** `routing.maxShare`; undefined when no cap is set (a reload starts its window afresh). */
  readonly shareCaps: ShareCaps | undefined;
  /** Calls in flight, bounded by `routing.maxInFlight` (src/routing/admission.ts). */
  readonly admission: CallAdmission;
  /** Latency of successful attempts for the whole chain and per method label. */
  readonly latency: LatencyWindow;
  private readonly methodLatency = new Map<string, LatencyWindow>();
  /** Highest head handed out to clients; `latest` never goes below it (consistent reads). */
  servedHead = 0;
  /**
   * Fleet mode: raises the fleet's served head to `head` and gives the fleet's, so eth_blockNumber
   * never goes backwards for a client whose calls land on two replicas (src/fleet/served-heads.ts).
   */
  sharedHead: ((chain: string, head: number) => Promise<number>) | undefined;
  /** When each new best head was first seen, to judge an upstream's head by the time it was seen. */
  readonly heads: HeadHistory;
  /** Operators' cordons (src/fleet/): a cordoned upstream is used only in panic. */
  cordons: CordonView = NO_CORDONS;
  /** The last disputed verified reads (src/stages/verify/), newest first. */
  lastDisputes: DisputeRecord[] = [];
  /** Where attempts report stalls, failures and implausible answers (health/detector.ts). */
  suspicion: SuspicionSink = NO_SUSPICION;
  /** Some upstream's provider has a budget: selection checks budgets only then. */
  readonly budgeted: boolean;
  /** Copies of sampled reads to the shadow upstreams; undefined when the chain has none. */
  readonly shadows: ShadowReads | undefined;

  constructor(
    readonly config: ChainConfig,
    readonly settings: Config,
    nowMs: number,
    onDomainTransition: TransitionListener = () => {},
    random: () => number = Math.random,
    /** The same chain before a reload: upstreams and domains with an unchanged setup keep their state. */
    previous?: ChainRuntime,
    onNewUpstream: (upstream: Upstream) => void = () => {},
    /** The config's provider accounts (src/routing/provider-account.ts), shared by every chain. */
    accounts: ReadonlyMap<string, ProviderAccount> = new Map(),
    observer?: Observer,
  ) {
    this.name = config.name;
    this.chainId = config.chainId;
    this.family = FAMILIES[config.family];
    this.identity = config.identity;
    this.upstreams = config.upstreams.map((u) => {
      const kept = previous?.upstreams.find(
        (p) => p.name === u.name && p.setup === upstreamSetup(u, config.name, settings),
      );
      const upstream = kept ?? new Upstream(u, config.name, settings, nowMs);
      if (!kept) onNewUpstream(upstream);
      upstream.owner = this;
      return upstream;
    });
    const members = new Map<string, string[]>();
    for (const u of this.upstreams) {
      for (const key of u.domains) members.set(key, [...(members.get(key) ?? []), u.name]);
    }
    const onTransition: TransitionListener = (key, from, to, atMs) => {
      // Members of a domain that comes back ramp up (slow start) instead of taking a full share at once.
      if (to === 'closed') for (const u of this.upstreams) if (u.domains.includes(key)) u.markRecovered(atMs);
      onDomainTransition(key, from, to, atMs);
    };
    const domainSettings = JSON.stringify(settings.breakers.domain);
    for (const [key, names] of members) {
      const old = previous?.domains.get(key);
      const keep =
        old !== undefined &&
        JSON.stringify(old.members) === JSON.stringify(names) &&
        JSON.stringify(previous!.settings.breakers.domain) === domainSettings;
      const breaker = keep ? old : new DomainBreaker(key, names, { ...settings.breakers.domain, random });
      breaker.onTransition = onTransition;
      this.domains.set(key, breaker);
    }
    for (const u of this.upstreams) {
      this.breakersOf.set(
        u,
        u.domains.flatMap((key) => this.domains.get(key) ?? []),
      );
    }
    this.budgeted = this.attachLimits(accounts, nowMs);
    const shadows = this.upstreams.filter((u) => u.config.shadow);
    this.shadows =
      shadows.length === 0 || observer === undefined
        ? undefined
        : new ShadowReads(
            this.name,
            shadows,
            settings.routing.shadowRate,
            this.family,
            settings.routing.tryTimeoutMs,
            observer,
            random,
            previous?.shadows,
          );
    const caps = new ShareCaps(settings.routing.maxShare, this.upstreams);
    this.shareCaps = caps.enabled ? caps : undefined;
    this.admission = new CallAdmission(settings.routing.maxInFlight);
    this.budget = new RetryBudget(
      settings.routing.retryBudget.ratio,
      settings.routing.retryBudget.minPerSecond,
      nowMs,
    );
    // What was learnt about the chain itself does not depend on the config.
    this.latency = previous?.latency ?? new LatencyWindow(nowMs);
    this.heads = previous?.heads ?? new HeadHistory();
    if (previous) {
      for (const [label, window] of previous.methodLatency) this.methodLatency.set(label, window);
      this.servedHead = previous.servedHead;
      this.sharedHead = previous.sharedHead;
      this.lastDisputes = previous.lastDisputes;
    }
  }

  /**
   * Gives each upstream its limits (own rate limit, auto-tuned rate, provider account) or none; an
   * upstream kept across a reload keeps its tuner. True when some provider has a budget.
   */
  private attachLimits(accounts: ReadonlyMap<string, ProviderAccount>, nowMs: number): boolean {
    const autoTune = this.settings.routing.autoTune;
    let budgeted = false;
    for (const u of this.upstreams) {
      const account = accounts.get(u.config.provider);
      if (account?.pacer) budgeted = true;
      u.tuner = autoTune ? (u.tuner ?? new RateTuner()) : undefined;
      const limited = u.config.rateLimit !== undefined || account !== undefined || u.tuner !== undefined;
      u.limits = limited ? new UpstreamLimits(u.config.rateLimit, u.tuner, account, nowMs) : undefined;
    }
    return budgeted;
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

  /**
   * Records a head an upstream answered at `atMs`. Live answers only move it forward (a slower reply
   * may carry an older head); a health check's head replaces it (`replace`: a reorg, a re-pointed node).
   */
  recordHead(upstream: Upstream, head: number, atMs: number, replace = false): void {
    if (!replace && upstream.head !== undefined && head < upstream.head) return;
    upstream.head = head;
    upstream.headSeenAtMs = atMs;
    if (!upstream.wrongChain) this.heads.record(head, atMs);
  }

  /** Blocks behind the best head that had been seen when this upstream's head was seen. */
  lagOf(upstream: Upstream): number | undefined {
    const best = this.bestHead;
    if (best === undefined || upstream.head === undefined) return undefined;
    const seenAt = upstream.headSeenAtMs;
    const then = seenAt === undefined ? best : Math.min(best, this.heads.bestAt(seenAt) ?? best);
    return Math.max(0, then - upstream.head);
  }

  /** Every failure domain of the upstream is closed: it may take any call, not just a probe. */
  domainsClosed(upstream: Upstream, nowMs: number): boolean {
    for (const domain of this.domainsOf(upstream)) if (domain.stateAt(nowMs) !== 'closed') return false;
    return true;
  }

  /** The failure-domain breakers of one of this chain's upstreams. */
  domainsOf(upstream: Upstream): readonly DomainBreaker[] {
    return this.breakersOf.get(upstream) ?? [];
  }

  domainsAdmit(upstream: Upstream, nowMs: number): boolean {
    for (const domain of this.domainsOf(upstream)) if (!domain.admits(nowMs)) return false;
    return true;
  }

  domainState(key: string, nowMs: number): BreakerState {
    return this.domains.get(key)?.stateAt(nowMs) ?? 'closed';
  }

  methodWindow(label: string, nowMs: number): LatencyWindow {
    let w = this.methodLatency.get(label);
    if (!w) {
      w = new LatencyWindow(nowMs);
      this.methodLatency.set(label, w);
    }
    return w;
  }

  /** Closes the upstreams this runtime still owns (not those a reloaded runtime took over). */
  async close(): Promise<void> {
    await Promise.all(this.upstreams.filter((u) => u.owner === this).map((u) => u.close()));
  }
}
