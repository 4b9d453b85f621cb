// One call's attempt loop: pick an upstream, hedge safe reads to another failure domain when no answer
// comes in time, retry elsewhere within the budget and the request deadline, and answer exactly once.
// One object per call, which is also the selection request and its own link in the dispatcher's
// deadline queue: the hot path allocates no closures, timers, sets of attempts or callbacks per call.
import type { MethodFacts } from '../families/family.js';
import { catalogueError } from '../rpc/errors.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import type { Classification, Outcome } from '../rpc/outcome.js';
import { AttemptRun } from './attempt-run.js';
import type { CallAnswer, DispatchOptions } from './call-answer.js';
import type { AttemptOwner, DeadlineRun, DispatchHost, HedgeTimed } from './call-host.js';
import type { ChainRuntime } from './chain.js';
import { retryable } from './classify.js';
import type { AttemptKind } from './observer.js';
import { type SelectionRequest, selectUpstream } from './selection.js';
import { CAP_YIELD_BIT } from './share-caps.js';
import type { Upstream } from './upstream.js';
import { anyFull } from './upstream-room.js';

interface AttemptFailure {
  upstream: string;
  outcome: Outcome;
  detail: string;
}

export class CallRun implements SelectionRequest, DeadlineRun, HedgeTimed, AttemptOwner<AttemptRun> {
  readonly method: string;
  readonly latestRead: boolean;
  readonly minHead: number | undefined;
  readonly tried = new Set<Upstream>();
  readonly triedDomains = new Set<string>();
  private readonly live: AttemptRun[] = [];
  private failures: AttemptFailure[] | undefined;
  private passThroughError: { raw: string; upstream: string; outcome: Outcome } | undefined;
  private rejected: CallAnswer | undefined;
  private attempts = 0;
  private done = false;
  /** Some upstream was passed over because its pool and queue were full. */
  private outOfRoom = false;
  /** Set by selection: ms until an upstream passed over at its rate limit has room (0: none was). */
  limitWaitMs = 0;
  /** Waiting for a rate limit (no other upstream could take the call): the timer, and since when. */
  private limitTimer: NodeJS.Timeout | undefined;
  private limitWaitStartMs = 0;
  /** The last wait for a rate limit ran out: the call is OVERLOADED, not failed. */
  private limitedOut = false;
  private readonly hedgeAllowed: boolean;
  /** The hedge timer's bucket (due time, 0 when not armed) and slot in dispatcher.hedgeTimers. */
  private hedgeDueMs = 0;
  private hedgeSlot = 0;
  readonly deadlineAtMs: number;
  prevDeadline: DeadlineRun | undefined;
  nextDeadline: DeadlineRun | undefined;
  queued = false;

  constructor(
    readonly dispatcher: DispatchHost,
    readonly chain: ChainRuntime,
    readonly call: RpcCall,
    private readonly options: DispatchOptions,
    readonly label: string,
    private readonly facts: MethodFacts,
    readonly needsArchive: boolean,
    /** The call is the family's identity probe: its answer can show a re-pointed upstream. */
    readonly identityCall: boolean,
    /** Encoded once: undici sends a Buffer as it is, and retries and hedges reuse it. */
    readonly body: Buffer,
    private readonly startMs: number,
    private readonly resolve: (answer: CallAnswer) => void,
  ) {
    this.method = call.method;
    this.latestRead = chain.family.isLatestRead(call.method, call.params);
    this.minHead = options.minHead;
    this.hedgeAllowed = (options.hedge ?? facts.hedge) && chain.settings.routing.hedge.enabled;
    this.deadlineAtMs = options.deadlineAtMs;
    dispatcher.deadlines.add(this);
    if (!this.launch('primary')) {
      this.failAll();
      return;
    }
    this.armHedge();
  }

  get attemptsInFlight(): number {
    return this.live.length;
  }

  /** An attempt got no answer in time: its upstream counts as failing now, so try elsewhere at once. */
  onStall(): void {
    if (!this.done && this.hedgeAllowed) this.launch('retry');
  }

  onDeadline(): void {
    if (this.failures) this.failAll();
    else this.finish({ kind: 'error', raw: catalogueError('DEADLINE_EXCEEDED'), upstream: undefined });
  }

  onHedgeTimer(): void {
    this.hedgeDueMs = 0;
    if (this.done) return;
    if (this.launch('hedge')) this.armHedge();
  }

  onSettled(attempt: AttemptRun, c: Classification): void {
    const live = this.live;
    live.splice(live.indexOf(attempt), 1);
    if (this.done) return;
    const name = attempt.upstream.name;
    const reply = c.reply;
    const { options, dispatcher } = this;
    if (c.outcome === 'ok' && reply?.kind === 'result') {
      const answer: CallAnswer = { kind: 'result', raw: reply.raw, value: reply.value, upstream: name };
      if (options.accept && !options.accept(reply.value, attempt.upstream)) {
        this.rejected = answer;
        if (live.length === 0 && !this.launch('retry')) this.finish(answer);
        return;
      }
      if (attempt.kind === 'hedge') dispatcher.observer.hedge(this.chain.name, true);
      this.finish(answer);
      return;
    }
    if (!retryable(c.outcome, this.facts, c.mayHaveBeenSent)) {
      if (reply?.kind === 'error') {
        this.finish({ kind: 'error', raw: reply.raw, upstream: name, outcome: c.outcome });
      } else if (this.facts.write && c.mayHaveBeenSent) {
        this.finish({
          kind: 'error',
          raw: catalogueError('TX_OUTCOME_UNKNOWN', c.detail),
          upstream: name,
          outcome: c.outcome,
        });
      } else {
        this.recordFailure(name, c);
        if (live.length === 0) this.failAll();
      }
      return;
    }
    this.recordFailure(name, c);
    // When every attempt fails, a provider's own error object says more than a generic one.
    if (reply?.kind === 'error')
      this.passThroughError = { raw: reply.raw, upstream: name, outcome: c.outcome };
    // Nothing sent on a connect error, nothing served on a throttling answer (a provider's limit, which
    // auto-tune learns from): the retry is free, so it does not draw on the budget. Each upstream is
    // still tried once at most, within routing.maxAttempts.
    const kind: AttemptKind =
      c.outcome === 'connect_error' || c.outcome === 'throttled' ? 'primary' : 'retry';
    if (live.length === 0 && !this.launch(kind)) this.failAll();
  }

  private recordFailure(upstream: string, c: Classification): void {
    this.failures ??= [];
    this.failures.push({ upstream, outcome: c.outcome, detail: c.detail });
  }

  private launch(kind: AttemptKind): boolean {
    const { chain, options, dispatcher } = this;
    if (this.done || this.limitTimer || this.attempts >= chain.settings.routing.maxAttempts) return false;
    const nowMs = dispatcher.now();
    if (nowMs >= options.deadlineAtMs) return false;
    this.limitWaitMs = 0;
    const selection = selectUpstream(chain, this, nowMs, dispatcher.random, options.restrictTo);
    if (!selection) {
      this.outOfRoom ||= anyFull(chain, this.tried, options.restrictTo, nowMs);
      return this.limitWaitMs > 0 && this.waitForLimit(kind, nowMs);
    }
    if (kind !== 'primary' && !chain.budget.tryRetry(nowMs)) return false;
    const observer = dispatcher.observer;
    if (selection.panic) observer.panic(chain.name);
    const upstream = selection.upstream;
    if (chain.shareCaps) {
      chain.shareCaps.record(upstream, nowMs);
      if (selection.capYields & CAP_YIELD_BIT.cloud) observer.shareCapYield?.(chain.name, 'cloud');
      if (selection.capYields & CAP_YIELD_BIT.provider) observer.shareCapYield?.(chain.name, 'provider');
    }
    upstream.limits?.take(this.method, nowMs);
    this.tried.add(upstream);
    chain.picks++;
    upstream.ramp.recordPick();
    for (const d of upstream.domains) this.triedDomains.add(d);
    this.attempts++;
    if (kind === 'retry') observer.retry(chain.name);
    this.live.push(new AttemptRun(this, upstream, kind, selection.panic));
    return true;
  }

  /**
   * Every upstream that could take the call is at its rate limit: with nothing else in flight, the call
   * waits in the admission queue (it still holds its place there) for the first to have room, up to
   * `routing.maxQueueWait` in all and within its deadline; after that it is OVERLOADED.
   */
  private waitForLimit(kind: AttemptKind, nowMs: number): boolean {
    if (this.live.length > 0) return false;
    if (this.limitWaitStartMs === 0) this.limitWaitStartMs = nowMs;
    const waitUntil = nowMs + this.limitWaitMs;
    const bound = Math.min(
      this.limitWaitStartMs + this.chain.settings.routing.maxQueueWaitMs,
      this.options.deadlineAtMs,
    );
    if (waitUntil > bound) {
      this.limitedOut = true;
      return false;
    }
    this.limitTimer = setTimeout(() => {
      this.limitTimer = undefined;
      if (!this.done && !this.launch(kind)) this.failAll();
    }, this.limitWaitMs);
    return true;
  }

  private armHedge(): void {
    if (!this.hedgeAllowed) return;
    const timers = this.dispatcher.hedgeTimers;
    const latest = this.live[this.live.length - 1];
    this.hedgeDueMs = timers.add(
      this,
      this.dispatcher.hedgeDelayMs(this.chain, this.label, latest?.upstream),
    );
    this.hedgeSlot = timers.lastSlot;
  }

  private failAll(): void {
    if (this.rejected) {
      this.finish(this.rejected);
      return;
    }
    if (this.passThroughError) {
      const { raw, upstream, outcome } = this.passThroughError;
      this.finish({ kind: 'error', raw, upstream, outcome });
      return;
    }
    if (this.outOfRoom) {
      this.dispatcher.observer.rejected?.('overloaded');
      this.finish(overloaded('every upstream that could serve it is at its connection and queue bound'));
      return;
    }
    if (this.limitedOut) {
      this.dispatcher.observer.rejected?.('overloaded');
      this.finish(overloaded('every upstream that could serve it is at its rate limit'));
      return;
    }
    const failures = this.failures ?? [];
    const detail = failures.length === 0 ? `chain ${this.chain.name}` : undefined;
    const name = failures.length === 0 ? 'NO_UPSTREAM' : 'UPSTREAMS_FAILED';
    this.finish({
      kind: 'error',
      raw: catalogueError(name, detail, { attempts: failures }),
      upstream: undefined,
    });
  }

  private finish(answer: CallAnswer): void {
    if (this.done) return;
    this.done = true;
    const { chain, dispatcher } = this;
    chain.admission.leave();
    if (this.limitTimer) clearTimeout(this.limitTimer);
    if (this.hedgeDueMs !== 0) dispatcher.hedgeTimers.cancel(this.hedgeDueMs, this.hedgeSlot);
    dispatcher.deadlines.remove(this);
    for (const a of this.live) {
      if (a.kind === 'hedge') dispatcher.observer.hedge(chain.name, false);
      a.abandon();
    }
    dispatcher.observer.request(
      chain.name,
      this.label,
      answer.kind === 'result' ? 'ok' : 'error',
      dispatcher.now() - this.startMs,
    );
    this.resolve(answer);
    // After the answer: a shadow's copy never delays a client. Idempotent reads only: never a
    // submission, a filter or a method no table lists.
    const shadows = chain.shadows;
    if (shadows && answer.kind === 'result' && this.facts.idempotentRead && !this.facts.write)
      shadows.offer(this.method, this.label, this.body, answer.value, dispatcher.now());
  }
}

export function overloaded(detail: string): CallAnswer {
  return { kind: 'error', raw: catalogueError('OVERLOADED', detail), upstream: undefined, overloaded: true };
}
