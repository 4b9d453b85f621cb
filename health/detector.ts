// Detection at any traffic level: suspect, then confirm (HAProxy's on-error fastinter, Finagle's failure
// accrual). A stalled or failed attempt, or a failed liveness probe, makes an upstream suspect; a suspect
// upstream, and the other members of its failure domains (a region or a provider fails as a whole), is
// probed at once and then on a fast interval, each probe with a deadline learned from that upstream's
// own latency, until it is confirmed down or cleared. A confirmed failure is evidence for the upstream's
// breaker and its domains exactly as a failed attempt is, so a hung region opens with no traffic at all.
// Idle upstreams are watched too: one cheap probe (the family's identity call) per watch interval,
// skipped while live traffic shows the upstream alive. Every family alike: the family supplies the probe.
import type { Logger } from '../src/log/logger.js';
import type { ChainRuntime } from '../src/routing/chain.js';
import type { DetectionState } from '../src/routing/detection.js';
import type { Observer } from '../src/routing/observer.js';
import type { SuspicionSink } from '../src/routing/suspicion.js';
import type { Upstream } from '../src/routing/upstream.js';

/** What one liveness probe found: alive, not alive (with why), or no verdict (rate-limited). */
export interface LivenessResult {
  alive: boolean | undefined;
  reason: string;
  latencyMs: number;
  /** The identity the upstream reported, when its answer carried one. */
  identity?: string | undefined;
}

export type LivenessProbe = (
  chain: ChainRuntime,
  upstream: Upstream,
  deadlineMs: number,
) => Promise<LivenessResult>;

/** A probe may take this many times the upstream's latency estimate before it counts as unanswered. */
const PROBE_LATENCY_FACTOR = 4;
const JITTER = 0.2;
/** An implausible answer re-checks identity and head at most this often per upstream. */
const RECHECK_EVERY_MS = 1000;
/**
 * Probes of a confirmed-down upstream overlap (one hung since the outage must not hold back the one
 * that would see the heal): as many as can be waiting at once at `downInterval` with the longest
 * deadline, so a new probe always goes out on time. Each unanswered probe doubles the next one's
 * deadline, so an upstream that became slow, not dead, is heard again once it passes its new latency.
 */
const MAX_OVERLAPPING_PROBES = 8;
/** Event-loop delay (ms) from which probe deadlines wait for it too; below it is a quiet loop's jitter. */
const LOOP_DELAY_SLACK_FROM_MS = 20;
const MAX_DEADLINE_DOUBLINGS = 6;

/** 4 × the latency, within [health.minProbeTimeout, health.timeout]: the phi-accrual idea, simply. */
function learnedDeadlineMs(chain: ChainRuntime, latencyMs: number): number {
  const { minProbeTimeoutMs, timeoutMs } = chain.settings.health;
  return Math.min(timeoutMs, Math.max(minProbeTimeoutMs, PROBE_LATENCY_FACTOR * latencyMs));
}

class ProbeFailed extends Error {}
const PROBE_FAILED = new ProbeFailed();
const ignore = (): void => {};

interface Watch {
  readonly chain: ChainRuntime;
  readonly upstream: Upstream;
  timer: NodeJS.Timeout | undefined;
  probesInFlight: number;
  /** Probes answered in a row since it was confirmed down (it returns after health.rise of them). */
  answeredInARow: number;
  unansweredInARow: number;
  lastRecheckMs: number;
  /** The chain's watches by upstream name: the siblings a correlated suspicion probes. */
  readonly peers: ReadonlyMap<string, Watch>;
}

export class Detector implements SuspicionSink {
  private readonly watches = new Map<Upstream, Watch>();
  /** Per chain and domain: when its members were last probed because one of them became suspect. */
  private readonly correlatedAtMs = new Map<string, number>();
  private stopped = true;

  constructor(
    chains: readonly ChainRuntime[],
    private readonly probe: LivenessProbe,
    private readonly logger: Logger,
    private readonly observer: Observer,
    /** Runs a full identity and head check of the upstream now (health/checker.ts). */
    private readonly recheckNow: (chain: ChainRuntime, upstream: Upstream) => void,
    private readonly random: () => number = Math.random,
    /** This process's recent event-loop delay, ms (loop-delay.ts): added to every probe deadline. */
    private readonly loopDelayMs: () => number = () => 0,
  ) {
    for (const chain of chains) {
      const names = new Map<string, Watch>();
      for (const upstream of chain.upstreams) {
        const w: Watch = {
          chain,
          upstream,
          timer: undefined,
          probesInFlight: 0,
          answeredInARow: 0,
          unansweredInARow: 0,
          lastRecheckMs: 0,
          peers: names,
        };
        this.watches.set(upstream, w);
        names.set(upstream.name, w);
      }
      chain.suspicion = this;
    }
  }

  start(): void {
    this.stopped = false;
    for (const w of this.watches.values()) this.schedule(w);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) clearTimeout(w.timer);
  }

  suspect(upstream: Upstream, reason: string, sentAtMs: number): void {
    const w = this.watches.get(upstream);
    if (!w || this.stopped || !upstream.failureIsNews(sentAtMs)) return;
    this.raise(w, reason);
  }

  recheck(upstream: Upstream, reason: string): void {
    const w = this.watches.get(upstream);
    const nowMs = Date.now();
    if (!w || this.stopped || nowMs - w.lastRecheckMs < RECHECK_EVERY_MS) return;
    w.lastRecheckMs = nowMs;
    this.logger.info('upstream answer implausible: checking identity and head now', {
      chain: w.chain.name,
      upstream: upstream.name,
      reason,
    });
    this.recheckNow(w.chain, upstream);
  }

  /**
   * A probe's deadline: learned from the upstream's own latency now (at least minProbeTimeout), doubled
   * per probe a confirmed-down upstream left unanswered in a row, plus this process's recent event-loop
   * delay once it passes 20 ms, at most health.timeout.
   */
  deadlineMs(chain: ChainRuntime, upstream: Upstream): number {
    const w = this.watches.get(upstream);
    const doublings = Math.min(w?.unansweredInARow ?? 0, MAX_DEADLINE_DOUBLINGS);
    const base = learnedDeadlineMs(chain, upstream.latency.valueAt(Date.now()));
    // Our own recent loop delay on top, once it is more than jitter: an answer can wait that long in
    // the socket before we read it. (Below that it would only slow detection down.)
    const lag = this.loopDelayMs();
    const slack = lag >= LOOP_DELAY_SLACK_FROM_MS ? lag : 0;
    return Math.ceil(Math.min(chain.settings.health.timeoutMs, base * 2 ** doublings + slack));
  }

  suspectAfterMs(upstream: Upstream): number {
    const w = this.watches.get(upstream);
    // The estimate as of its last answer: this runs for every attempt, and an idle decay is no news.
    return w ? Math.ceil(learnedDeadlineMs(w.chain, upstream.latency.valueMs)) : Number.POSITIVE_INFINITY;
  }

  private raise(w: Watch, reason: string): void {
    if (w.upstream.detection.state !== 'clear') return;
    this.setState(w, 'suspect', reason);
    this.probeNow(w);
    this.correlate(w, false);
  }

  /**
   * The other members of the suspect's closed domains are probed at once: at most once a watch interval
   * per domain for a suspicion, always for a confirmed failure (rare, and an earlier false alarm in
   * the same domain must not hold back the probes that see a real outage).
   */
  private correlate(w: Watch, confirmed: boolean): void {
    const nowMs = Date.now();
    for (const domain of w.chain.domainsOf(w.upstream)) {
      if (domain.members.length < 2 || domain.stateAt(nowMs) !== 'closed') continue;
      const id = `${w.chain.name}\u0000${domain.key}`;
      const last = this.correlatedAtMs.get(id);
      if (!confirmed && last !== undefined && nowMs - last < w.chain.settings.health.watchIntervalMs)
        continue;
      this.correlatedAtMs.set(id, nowMs);
      for (const member of domain.members) {
        const sibling = w.peers.get(member);
        if (!sibling || sibling === w || sibling.upstream.detection.state !== 'clear') continue;
        this.setState(
          sibling,
          'suspect',
          `${w.upstream.name} in ${domain.key} is ${confirmed ? 'down' : 'suspect'}`,
        );
        this.probeNow(sibling);
      }
    }
  }

  private intervalMs(w: Watch): number {
    const h = w.chain.settings.health;
    const state = w.upstream.detection.state;
    const base =
      state === 'suspect' ? h.suspectIntervalMs : state === 'down' ? h.downIntervalMs : h.watchIntervalMs;
    return base * (1 - JITTER + 2 * JITTER * this.random());
  }

  private schedule(w: Watch, delayMs = this.intervalMs(w)): void {
    clearTimeout(w.timer);
    if (this.stopped) return;
    w.timer = setTimeout(() => this.onTimer(w), delayMs);
    w.timer.unref();
  }

  private onTimer(w: Watch): void {
    const u = w.upstream;
    this.schedule(w);
    // Live traffic answered lately: it shows the upstream alive, and costs the provider nothing extra.
    const h = w.chain.settings.health;
    // (Live answers only: the watch's own answers must not make it skip every other tick.)
    if (u.detection.state === 'clear' && Date.now() - u.lastSuccessMs < h.watchIntervalMs) return;
    this.probeNow(w);
  }

  private probeNow(w: Watch): void {
    const { timeoutMs, downIntervalMs } = w.chain.settings.health;
    const overlapping = Math.min(MAX_OVERLAPPING_PROBES, Math.ceil(timeoutMs / downIntervalMs) + 1);
    const limit = w.upstream.detection.state === 'down' ? overlapping : 1;
    if (w.probesInFlight >= limit || this.stopped) return;
    w.probesInFlight++;
    const sentAtMs = Date.now();
    this.probe(w.chain, w.upstream, this.deadlineMs(w.chain, w.upstream)).then(
      (result) => {
        w.probesInFlight--;
        if (!this.stopped) this.onProbe(w, result, sentAtMs);
      },
      (err: unknown) => {
        w.probesInFlight--;
        this.logger.error('liveness probe failed to run', { upstream: w.upstream.name, error: String(err) });
      },
    );
  }

  private onProbe(w: Watch, r: LivenessResult, sentAtMs: number): void {
    const { chain, upstream } = w;
    this.observer.healthCheck(
      chain.name,
      upstream.name,
      chain.family.probes.identity.method,
      r.alive === true,
    );
    if (r.alive === undefined) return;
    if (r.alive) this.answered(w, r, sentAtMs);
    else this.unanswered(w, r.reason, sentAtMs);
  }

  private answered(w: Watch, r: LivenessResult, sentAtMs: number): void {
    const { chain, upstream } = w;
    const nowMs = Date.now();
    upstream.lastAliveMs = Math.max(upstream.lastAliveMs, sentAtMs);
    // Probe round trips are latency samples too: a quiet chain hedges as early as a busy one.
    upstream.latency.observe(r.latencyMs, nowMs);
    chain.latency.record(r.latencyMs, nowMs);
    w.unansweredInARow = 0;
    if (r.identity !== undefined && r.identity !== chain.identity)
      this.recheck(upstream, `liveness probe answered identity ${r.identity}`);
    for (const domain of chain.domainsOf(upstream)) {
      domain.memberDown(upstream.name, false, nowMs);
      domain.recordCheck(upstream.name, false, nowMs, sentAtMs);
    }
    // A half-open breaker takes the answer as its trial call.
    if (upstream.breaker.halfOpen) upstream.breaker.fire(Promise.resolve()).catch(ignore);
    const state = upstream.detection.state;
    if (state === 'suspect') this.setState(w, 'clear', '');
    else if (state === 'down' && ++w.answeredInARow >= chain.settings.health.rise)
      this.setState(w, 'clear', '');
  }

  private unanswered(w: Watch, reason: string, sentAtMs: number): void {
    const { chain, upstream } = w;
    // It answered something since this probe left: the probe speaks of the past.
    if (sentAtMs < upstream.lastAliveMs) return;
    const nowMs = Date.now();
    w.answeredInARow = 0;
    const state = upstream.detection.state;
    if (state === 'down') w.unansweredInARow++;
    if (state === 'clear') {
      this.recordFailure(w, nowMs, sentAtMs);
      this.raise(w, `liveness probe: ${reason}`);
      return;
    }
    if (state === 'suspect') {
      this.setState(w, 'down', `confirmed by probe: ${reason}`);
      this.correlate(w, true);
    }
    this.recordFailure(w, nowMs, sentAtMs);
    for (const domain of chain.domainsOf(upstream)) domain.memberDown(upstream.name, true, nowMs);
    // The breaker hears a confirmed failure as it hears a failed attempt. A half-open breaker whose
    // one trial is out refuses the fire without awaiting the failure: it is handled here too.
    if (upstream.breaker.closed || upstream.breaker.halfOpen) {
      const failed = Promise.reject(PROBE_FAILED);
      failed.catch(ignore);
      upstream.breaker.fire(failed).catch(ignore);
    }
  }

  private recordFailure(w: Watch, nowMs: number, sentAtMs: number): void {
    for (const domain of w.chain.domainsOf(w.upstream))
      domain.recordCheck(w.upstream.name, true, nowMs, sentAtMs);
  }

  private setState(w: Watch, state: DetectionState, reason: string): void {
    const { chain, upstream } = w;
    const from = upstream.detection.state;
    if (from === state) return;
    const nowMs = Date.now();
    upstream.detection = { state, reason, sinceMs: nowMs };
    w.answeredInARow = 0;
    // Back from down: its domain usually closed on the first answer a moment ago and started the
    // slow-start ramp then; restarting it here would hold the member's share back a second time.
    if (from === 'down') {
      const rampRunning = nowMs - upstream.lastRecoveryMs < chain.settings.routing.slowStartMs;
      if (rampRunning) upstream.failures.clear();
      else upstream.markRecovered(nowMs);
    }
    // The probe interval follows the state (watch, suspect, down).
    this.schedule(w);
    this.observer.detection?.(chain.name, upstream.name, state);
    const fields = {
      chain: chain.name,
      upstream: upstream.name,
      from,
      to: state,
      ...(reason ? { reason } : {}),
    };
    if (state === 'down') this.logger.warn('upstream confirmed down', fields);
    else this.logger.info(state === 'suspect' ? 'upstream suspect' : 'upstream cleared', fields);
  }
}
