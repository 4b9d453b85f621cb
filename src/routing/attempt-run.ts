// One attempt of a call at one upstream: sends it with the per-try deadline, tells the upstream's failure
// domains of a stall at once, and when the answer (or the failure) comes, classifies it and reports it to
// the upstream, its breaker and its domains before handing it back to the call. One object per attempt:
// its stall timer sits in the dispatcher's millisecond buckets, so the hot path allocates no timer for it.

import { type AttemptEnd, healthEffect } from '../rpc/outcome.js';
import type { AttemptOwner, StallTimed } from './call-host.js';
import { classify } from './classify.js';
import type { AttemptKind, AttemptView } from './observer.js';
import type { PendingAttempt } from './pending-attempts.js';
import { NeutralVerdict, type Upstream } from './upstream.js';
import type { AttemptReceiver, CancellableRequest } from './upstream-client.js';

class FailedVerdict extends Error {}

// One instance each: opossum only tests their class, and an Error per failed attempt captures a stack.
const FAILED = new FailedVerdict();
const NEUTRAL = new NeutralVerdict();

const ignore = (): void => {};

export class AttemptRun implements AttemptReceiver, StallTimed, AttemptView {
  /** The call no longer needs this attempt; it runs on until it answers or stalls, as evidence. */
  orphaned = false;
  private readonly request: CancellableRequest;
  private readonly startMs: number;
  private readonly sentAt: number;
  private readonly pending: PendingAttempt;
  private readonly stallAfterMs: number;
  /** Before the stall: the detector's deadline for this upstream, when shorter (0 once past it). */
  private suspectAfterMs: number;
  /** The stall timer's bucket (due time, 0 once fired or cancelled) and slot in dispatcher.stallTimers. */
  private stallDueMs = 0;
  private stallSlot = 0;
  private recheckedStall = false;
  private stalled = false;
  private domainsTold = false;
  /** The breaker hears this attempt's outcome when it ends (it was closed when the attempt left). */
  private readonly verdictAtEnd: boolean;
  /** Set when the attempt holds a half-open breaker's one probe: the verdict settles it. */
  private settleProbe: ((failed: Error | undefined) => void) | undefined;

  constructor(
    private readonly call: AttemptOwner<AttemptRun>,
    readonly upstream: Upstream,
    readonly kind: AttemptKind,
    panic: boolean,
  ) {
    const { chain, dispatcher } = call;
    this.startMs = dispatcher.now();
    // In panic the breaker is bypassed: it would refuse, and answering beats a clean error. A closed
    // breaker is told the outcome when it is known: opossum's promises for it then live for a
    // microtask, not for the whole attempt (under a crowd, thousands of attempts are in flight and
    // every object they hold is copied by each scavenge). A half-open breaker's one probe is taken
    // now, so no second attempt follows it in.
    this.verdictAtEnd = !panic && upstream.breaker.closed;
    if (!panic && !this.verdictAtEnd && upstream.breakerAdmits) {
      const probe = new Promise<void>((resolve, reject) => {
        this.settleProbe = (failed) => (failed ? reject(failed) : resolve());
      });
      upstream.breaker.fire(probe).catch(ignore);
    }
    for (const domain of chain.domainsOf(upstream)) domain.onSend(this.startMs);
    this.pending = upstream.pending.begin(this.startMs);
    upstream.counts.attempts++;
    // Domains hear of a stall at once (a hung region must open within milliseconds); the upstream's
    // own breaker waits for the final outcome, so a slow answer is not counted as a dead upstream.
    this.stallAfterMs = dispatcher.stallAfterMs(chain, call.label, upstream);
    const suspectAfterMs = chain.suspicion.suspectAfterMs(upstream);
    this.suspectAfterMs = suspectAfterMs < this.stallAfterMs ? suspectAfterMs : 0;
    this.sentAt = performance.now();
    this.armStall(this.suspectAfterMs || this.stallAfterMs);
    // The per-try deadline is undici's own header/body timeout: no AbortController or timer per attempt.
    dispatcher.observer.attemptStarted?.(this);
    this.request = upstream.client.sendTo(this, call.body, chain.settings.routing.tryTimeoutMs);
  }

  /** The call this attempt serves (AttemptView: tracing keys its spans on it). */
  get owner(): object {
    return this.call;
  }

  /**
   * The call was answered (or failed) without this attempt. One that already stalled is cancelled now:
   * its stall is on record, and left to run it would hold a socket and, timing out after a heal, speak
   * against an upstream that works again. One that has not stalled yet runs on until it answers or
   * stalls: the evidence a hung region opens on.
   */
  abandon(): void {
    this.orphaned = true;
    if (this.stalled) this.request.cancel();
  }

  private armStall(delayMs: number): void {
    const timers = this.call.dispatcher.stallTimers;
    this.stallDueMs = timers.add(this, delayMs);
    this.stallSlot = timers.lastSlot;
  }

  onStall(): void {
    this.stallDueMs = 0;
    if (this.suspectAfterMs !== 0) {
      this.onSuspectDeadline();
      return;
    }
    // Timers run before I/O after a pause of our own event loop: an answer may be waiting in the
    // socket. A late timer looks once more after I/O instead of blaming the upstream for our pause.
    if (performance.now() - this.sentAt > this.stallAfterMs * 1.5 && !this.recheckedStall) {
      this.recheckedStall = true;
      this.armStall(1);
      return;
    }
    const { chain, dispatcher } = this.call;
    const upstream = this.upstream;
    upstream.lastError = 'no answer (stalled)';
    dispatcher.observer.stall(chain.name, upstream.name);
    dispatcher.observer.attemptStalled?.(this);
    this.stalled = true;
    this.domainsTold = true;
    const nowMs = dispatcher.now();
    for (const domain of chain.domainsOf(upstream)) domain.recordStall(upstream.name, nowMs, this.startMs);
    if (upstream.failureIsNews(this.startMs)) {
      // Traffic keeps away for a while even once the cancelled attempt no longer weighs on the cost.
      upstream.failures.record(nowMs);
      chain.suspicion.suspect(upstream, `no answer within ${this.stallAfterMs} ms (stalled)`, this.startMs);
    }
    if (this.orphaned) this.request.cancel();
    else this.call.onStall();
  }

  /**
   * No answer within the deadline the detector learned for this upstream: not a stall yet (that
   * follows the chain's p99, for the domains), but the detector probes the upstream and its domain
   * siblings now, so one slow-to-come answer at a few reads a second is confirmed or cleared at once.
   */
  private onSuspectDeadline(): void {
    const dueMs = this.suspectAfterMs;
    this.suspectAfterMs = 0;
    const waited = performance.now() - this.sentAt;
    // A timer held up by our own event loop says nothing of the upstream.
    if (waited <= dueMs * 1.5 + 5 && this.upstream.failureIsNews(this.startMs))
      this.call.chain.suspicion.suspect(this.upstream, `no answer within ${dueMs} ms`, this.startMs);
    this.armStall(Math.max(1, this.stallAfterMs - waited));
  }

  onAttemptEnd(end: AttemptEnd): void {
    const { chain, dispatcher, label } = this.call;
    if (this.stallDueMs !== 0) dispatcher.stallTimers.cancel(this.stallDueMs, this.stallSlot);
    const method = this.call.call.method;
    const { upstream, startMs } = this;
    upstream.pending.end(this.pending);
    const nowMs = dispatcher.now();
    const latencyMs = nowMs - startMs;
    let c = classify(method, end, nowMs, chain.family);
    let effect = healthEffect(c.outcome);
    if (effect === 'success') {
      upstream.latency.observe(latencyMs, nowMs);
      chain.latency.record(latencyMs, nowMs);
      chain.methodWindow(label, nowMs).record(latencyMs, nowMs);
      upstream.lastSuccessMs = nowMs;
      upstream.lastAliveMs = nowMs;
    } else if (effect === 'failure') {
      upstream.lastError = c.detail;
      // A failure of an attempt sent before a later answer or a recovery is old news (a hung call
      // timing out after the upstream came back): it must not push traffic away from an upstream that
      // works, nor count against its breaker. A refused connection costs its caller well under a
      // millisecond and is retried for free, and letting calls meet it again is how every member of a
      // refusing region shows up at once.
      if (upstream.failureIsNews(startMs)) {
        if (c.outcome !== 'connect_error') upstream.failures.record(nowMs);
        if (!this.stalled) chain.suspicion.suspect(upstream, c.detail, startMs);
      } else effect = 'neutral';
    }
    const tuner = upstream.tuner;
    if (c.outcome === 'throttled') {
      tuner?.onThrottled(startMs, nowMs);
      // With auto-tune, a throttling answer without a Retry-After lowers the rate instead of benching
      // the upstream for a second: against a provider's per-second limit that is what settles it.
      if (c.retryAfterMs !== undefined || tuner === undefined)
        upstream.throttle(nowMs + (c.retryAfterMs ?? 1000));
    } else if (tuner !== undefined && effect === 'success') tuner.recordAccepted(nowMs);
    if (c.outcome === 'unsupported') upstream.markUnsupported(method);
    // Only an old-state read proves pruning: "header not found" at the head means lagging, not pruned.
    if (c.outcome === 'missing_state' && this.call.needsArchive && upstream.archive === undefined) {
      upstream.archive = false;
    }
    if (c.outcome === 'ok' && c.reply?.kind === 'result') {
      // Live answers are head evidence too: no extra probe needed while traffic flows.
      const head = chain.family.liveHead(method, c.reply.value);
      if (head !== undefined) {
        // A head far from the chain's (a node re-pointed, stuck or on a fork): check it now, not at
        // the next scheduled check.
        const best = chain.bestHead;
        if (best !== undefined && Math.abs(best - head) > chain.settings.health.maxBlockLag)
          chain.suspicion.recheck(upstream, `answered head ${head}, the chain's is ${best}`);
        chain.recordHead(upstream, head, nowMs);
      }
      // A provider re-pointed behind the same URL shows in live answers before the next probe.
      if (this.call.identityCall) {
        const wasWrong = upstream.wrongChain;
        if (wrongIdentity(this.call, upstream, c.reply.value)) {
          if (!wasWrong) {
            dispatcher.observer.wrongChain?.(chain.name, upstream.name, upstream.reportedChainId);
            chain.suspicion.recheck(upstream, 'answered another chain identity');
          }
          c = { ...c, outcome: 'upstream_error', detail: 'wrong chain id' };
          effect = 'failure';
          upstream.lastError = c.detail;
        }
      }
    }
    if (this.stalled && effect === 'success') {
      for (const domain of chain.domainsOf(upstream)) domain.recordLateAnswer(upstream.name, nowMs, startMs);
    } else this.tellDomains(effect, nowMs);
    if (effect === 'failure') upstream.counts.failures++;
    else if (effect === 'success') upstream.counts.successes++;
    this.tellBreaker(effect);
    dispatcher.observer.attempt(chain.name, upstream.name, label, c.outcome, latencyMs, this.kind);
    dispatcher.observer.attemptEnded?.(this, c.outcome, c.detail);
    this.call.onSettled(this, c);
  }

  private tellBreaker(effect: 'success' | 'failure' | 'neutral'): void {
    const failed = effect === 'failure' ? FAILED : effect === 'neutral' ? NEUTRAL : undefined;
    if (this.settleProbe) this.settleProbe(failed);
    // Opened meanwhile by other attempts: this outcome is old news to it, and a half-open breaker's
    // probe is for an attempt sent after the pause.
    else if (this.verdictAtEnd && this.upstream.breaker.closed) {
      this.upstream.breaker.fire(failed ? Promise.reject(failed) : Promise.resolve()).catch(ignore);
    }
  }

  private tellDomains(effect: 'success' | 'failure' | 'neutral', nowMs: number): void {
    if (this.domainsTold) return;
    this.domainsTold = true;
    const { chain } = this.call;
    for (const domain of chain.domainsOf(this.upstream)) {
      if (effect === 'neutral') domain.recordNeutral(nowMs, this.startMs);
      else domain.record(this.upstream.name, effect === 'failure', nowMs, this.startMs);
    }
  }
}

/** Marks the upstream as on the wrong chain when a live answer to the identity call says so. */
function wrongIdentity(call: AttemptOwner, upstream: Upstream, value: unknown): boolean {
  const chain = call.chain;
  const reported = chain.family.probes.readIdentity({ result: value });
  if (reported === undefined || reported === chain.identity) return false;
  upstream.markIdentity(reported, false);
  return true;
}
