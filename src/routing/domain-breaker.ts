// A failure-domain breaker (a region, a provider, a decentralized network): opens the whole domain
// when several of its upstreams fail together, without waiting for each to trip on its own; after a
// jittered back-off it admits one probe, and closes when the probe succeeds. Pure: time is passed in.

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface DomainBreakerOptions {
  /** Distinct failing members that open the domain (capped at the member count; one-member domains never open). */
  minFailingUpstreams: number;
  /** How far back member outcomes count. */
  windowMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** [0, 1) source for jitter; injectable for tests. */
  random?: () => number;
}

/** A member is failing when, inside the window, it has at least this many failures... */
const MIN_MEMBER_FAILURES = 2;
/** ...and they are at least half of its outcomes. */
const MIN_MEMBER_FAILURE_SHARE = 0.5;
/** Stalled attempts sent closer together than this are one burst, one piece of evidence. */
const STALL_BURST_MS = 1;
/** Outcomes kept per member; older ones fall out even inside the window. */
const MEMBER_HISTORY = 8;

interface MemberHistory {
  times: number[];
  failed: boolean[];
  /** For a stall, when its attempt was sent (a late answer to that burst withdraws it); NaN otherwise. */
  stallSentAtMs: number[];
}

export type TransitionListener = (key: string, from: BreakerState, to: BreakerState, nowMs: number) => void;

export class DomainBreaker {
  private state: BreakerState = 'closed';
  private readonly history = new Map<string, MemberHistory>();
  /** Per member: when its last counted stalled attempt was sent. */
  private readonly lastStallSentAtMs = new Map<string, number>();
  /** Members the detector confirmed down (health/detector.ts): failing whatever their history says. */
  private readonly confirmedDown = new Set<string>();
  private openUntilMs = 0;
  private currentBackoffMs: number;
  private probeInFlight = false;
  /** When the current state began: outcomes of attempts sent before it decide nothing. */
  private stateSinceMs = Number.NEGATIVE_INFINITY;
  private readonly random: () => number;
  /** Times the domain opened; for /status and tests. */
  opens = 0;
  openedAtMs: number | undefined;

  constructor(
    readonly key: string,
    readonly members: readonly string[],
    readonly options: DomainBreakerOptions,
    /** Replaced when a reloaded runtime adopts this breaker. */
    public onTransition: TransitionListener = () => {},
  ) {
    this.currentBackoffMs = options.backoffMs;
    this.random = options.random ?? Math.random;
  }

  stateAt(nowMs: number): BreakerState {
    if (this.state === 'open' && nowMs >= this.openUntilMs) this.transition('half_open', nowMs);
    return this.state;
  }

  /** Whether a new attempt may go to this domain now (half-open: only while no probe is out). */
  admits(nowMs: number): boolean {
    const state = this.stateAt(nowMs);
    return state === 'closed' || (state === 'half_open' && !this.probeInFlight);
  }

  /** Called when an attempt is sent into the domain; in half-open it is the probe. */
  onSend(nowMs: number): void {
    if (this.stateAt(nowMs) === 'half_open') this.probeInFlight = true;
  }

  /**
   * A successful health check of a member while the domain is open: the back-off has nothing left to
   * protect, so the domain goes half-open now and the next probe decides.
   */
  memberLooksHealthy(nowMs: number): void {
    if (this.stateAt(nowMs) === 'open') this.transition('half_open', nowMs);
  }

  /**
   * Another fleet member opened this domain (src/fleet/): open it here too, for one jittered back-off.
   * It then goes half-open and this instance's own probe decides, so a verdict from elsewhere never
   * keeps a domain out for longer than a local trip would. Returns how long it stays open (0: it was).
   */
  forceOpen(nowMs: number): number {
    if (this.stateAt(nowMs) === 'open') return 0;
    this.trip(nowMs, false);
    return this.openUntilMs - nowMs;
  }

  /**
   * The detector confirmed a member down (a suspicion, then a failed probe with a deadline learned
   * from that member's latency), or heard it answer again. A confirmed member counts as failing at
   * once: with little or no traffic there is no history of failed attempts to wait for.
   */
  memberDown(member: string, down: boolean, nowMs: number): void {
    if (!down) {
      this.confirmedDown.delete(member);
      return;
    }
    if (!this.members.includes(member)) return;
    this.confirmedDown.add(member);
    if (this.stateAt(nowMs) === 'closed') this.tripIfFailing(nowMs);
  }

  /**
   * A health check's or liveness probe's outcome for a member, sent at `sentAtMs`. An answer while the
   * domain is open ends the back-off (half-open: nothing left to protect). A closed domain hears checks
   * too: live traffic goes to the cheapest region, so a region that carries none would otherwise stay
   * "closed" while every member of it is down; there a check sent before the domain closed (hung across
   * a recovery) is no news. In a half-open domain the check is the probe, even when its own answer just
   * made the domain half-open.
   */
  recordCheck(member: string, failed: boolean, nowMs: number, sentAtMs: number): void {
    if (!failed) this.memberLooksHealthy(nowMs);
    const state = this.stateAt(nowMs);
    if (state === 'closed') this.record(member, failed, nowMs, sentAtMs);
    else if (state === 'half_open' && this.admits(nowMs)) this.record(member, failed, nowMs, nowMs);
  }

  /** A neutral outcome (cancelled, throttled) frees the probe slot without deciding anything. */
  recordNeutral(nowMs: number, sentAtMs = nowMs): void {
    if (this.stateAt(nowMs) === 'half_open' && sentAtMs >= this.stateSinceMs) this.probeInFlight = false;
  }

  /**
   * An attempt got no answer within the stall delay. A burst of attempts sent together (a client's
   * batch, a load spike) stalls together when the upstream or the path to it pauses for a moment:
   * one pause is one piece of evidence, so the stall of an attempt sent within STALL_BURST_MS of the
   * member's last counted one is not counted again. A hang keeps stalling the attempts sent after it
   * over the following milliseconds, and still opens the domain.
   */
  recordStall(member: string, nowMs: number, sentAtMs: number): void {
    const last = this.lastStallSentAtMs.get(member);
    if (last !== undefined && Math.abs(sentAtMs - last) < STALL_BURST_MS) return;
    this.lastStallSentAtMs.set(member, sentAtMs);
    this.recordOutcome(member, true, sentAtMs, nowMs, sentAtMs);
  }

  /**
   * A stalled attempt (sent at `sentAtMs`) was answered after all: the member is alive. In a closed
   * domain the stall its burst put on record is withdrawn (becomes a success); an open domain goes
   * half-open, and the next probe decides.
   */
  recordLateAnswer(member: string, nowMs: number, sentAtMs: number): void {
    if (this.stateAt(nowMs) === 'open') {
      this.memberLooksHealthy(nowMs);
      return;
    }
    const h = this.history.get(member);
    if (!h) return;
    for (let i = h.stallSentAtMs.length - 1; i >= 0; i--) {
      if (!(Math.abs(h.stallSentAtMs[i]! - sentAtMs) < STALL_BURST_MS)) continue;
      h.stallSentAtMs[i] = Number.NaN;
      h.failed[i] = false;
      return;
    }
  }

  /** `sentAtMs`: when the attempt left; a late answer to an attempt from an earlier state is ignored. */
  record(member: string, failed: boolean, nowMs: number, sentAtMs = nowMs): void {
    this.recordOutcome(member, failed, Number.NaN, nowMs, sentAtMs);
  }

  private recordOutcome(
    member: string,
    failed: boolean,
    stallSentAtMs: number,
    nowMs: number,
    sentAtMs: number,
  ): void {
    const state = this.stateAt(nowMs);
    if (state === 'open' || sentAtMs < this.stateSinceMs) return;
    if (state === 'half_open') {
      this.probeInFlight = false;
      if (failed) this.trip(nowMs, true);
      else this.transition('closed', nowMs);
      return;
    }
    let h = this.history.get(member);
    if (!h) {
      h = { times: [], failed: [], stallSentAtMs: [] };
      this.history.set(member, h);
    }
    h.times.push(nowMs);
    h.failed.push(failed);
    h.stallSentAtMs.push(stallSentAtMs);
    if (h.times.length > MEMBER_HISTORY) {
      h.times.shift();
      h.failed.shift();
      h.stallSentAtMs.shift();
    }
    if (failed) this.tripIfFailing(nowMs);
  }

  private tripIfFailing(nowMs: number): void {
    // A one-member domain is just its upstream, whose own breaker decides; domains need company.
    if (this.members.length < 2) return;
    if (this.failingMembers(nowMs) >= Math.min(this.options.minFailingUpstreams, this.members.length)) {
      this.trip(nowMs, false);
    }
  }

  failingMembers(nowMs: number): number {
    let failing = this.confirmedDown.size;
    const since = nowMs - this.options.windowMs;
    for (const [member, h] of this.history) {
      if (this.confirmedDown.has(member)) continue;
      let failures = 0;
      let total = 0;
      for (let i = 0; i < h.times.length; i++) {
        if (h.times[i]! < since) continue;
        total++;
        if (h.failed[i]) failures++;
      }
      if (failures < MIN_MEMBER_FAILURES) continue;
      // Half of its recent outcomes, or its latest ones in a row: traffic that moved away from a hung
      // member at once (its cost rises with every millisecond it keeps an attempt waiting) leaves
      // only a few stalls behind its earlier successes, and they are the news.
      if (failures >= total * MIN_MEMBER_FAILURE_SHARE || lastFailedInARow(h) >= MIN_MEMBER_FAILURES)
        failing++;
    }
    return failing;
  }

  private trip(nowMs: number, fromProbe: boolean): void {
    // Each failed probe doubles the back-off up to the cap; jitter spreads probes of many instances.
    this.currentBackoffMs = fromProbe
      ? Math.min(this.currentBackoffMs * 2, this.options.maxBackoffMs)
      : this.options.backoffMs;
    const jittered = this.currentBackoffMs * (0.75 + 0.5 * this.random());
    this.openUntilMs = nowMs + Math.min(jittered, this.options.maxBackoffMs);
    this.opens++;
    this.openedAtMs = nowMs;
    this.transition('open', nowMs);
  }

  private transition(to: BreakerState, nowMs: number): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.stateSinceMs = nowMs;
    if (to === 'closed') {
      this.history.clear();
      this.lastStallSentAtMs.clear();
      this.currentBackoffMs = this.options.backoffMs;
      this.openedAtMs = undefined;
    }
    if (to !== 'half_open') this.probeInFlight = false;
    this.onTransition(this.key, from, to, nowMs);
  }
}

function lastFailedInARow(h: MemberHistory): number {
  let n = 0;
  for (let i = h.failed.length - 1; i >= 0 && h.failed[i]; i--) n++;
  return n;
}
