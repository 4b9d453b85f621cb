// One request's attempt loop: pick an upstream, send with a per-try deadline, hedge safe reads to
// another failure domain when no answer comes in time, classify each outcome, report it to the
// upstream's breaker and its domains, retry elsewhere within the budget and the request deadline.

import { isHistoricalStateRead } from '../families/evm/archive-routing.js';
import type { AttemptKind, Observer } from '../ops/observer.js';
import { catalogueError } from '../rpc/errors.js';
import { type RpcCall, upstreamRequestBody } from '../rpc/jsonrpc.js';
import { anyFull } from './admission.js';
import type { ChainRuntime } from './chain.js';
import { type Classification, classify, healthEffect, type Outcome, retryable } from './classify.js';
import { selectUpstream } from './selection.js';
import { CAP_YIELD_BIT } from './share-caps.js';
import { NeutralVerdict, type Upstream } from './upstream.js';

/** The answer to one call: a raw result or a raw error object, and the upstream it came from. */
export type CallAnswer =
  | { kind: 'result'; raw: string; value: unknown; upstream: string }
  | {
      kind: 'error';
      raw: string;
      upstream: string | undefined;
      outcome?: Outcome;
      /** Refused by admission control (OVERLOADED): the client should retry after a pause. */
      overloaded?: true;
    };

export interface DispatchOptions {
  deadlineAtMs: number;
  /** Only these upstreams may be used (sticky filters, broadcasts); all of the chain's by default. */
  restrictTo?: ReadonlySet<Upstream>;
  /** Overrides the method's own hedge rule (a transaction broadcast never hedges). */
  hedge?: boolean;
  /**
   * Rejects a result that is valid but not good enough (a block the client has seen answered as null
   * by a lagging upstream): the next upstream is tried; when none is left the last result stands.
   */
  accept?: (value: unknown, upstream: Upstream) => boolean;
  /** Prefer upstreams whose last known head is at least this block (consistent reads); a preference only. */
  minHead?: number;
}

/** Stall detection never fires sooner than this, whatever the observed latency. */
const MIN_STALL_MS = 50;
const STALL_FACTOR = 4;
const FALLBACK_STALL_MS = 1000;

class FailedVerdict extends Error {}

interface Attempt {
  upstream: Upstream;
  kind: AttemptKind;
  /** The request no longer needs this attempt; it runs on (up to its deadline) as evidence. */
  orphaned: boolean;
}

let nextUpstreamId = 1;

export class Dispatcher {
  constructor(
    private readonly observer: Observer,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Hedge delay: the method's recent p95 (chain-wide while it has too few samples), clamped. */
  hedgeDelayMs(chain: ChainRuntime, label: string): number {
    const { minDelayMs, maxDelayMs, quantile } = chain.settings.routing.hedge;
    const nowMs = this.now();
    const q =
      chain.methodWindow(label, nowMs).quantile(quantile, nowMs) ?? chain.latency.quantile(quantile, nowMs);
    // Whole milliseconds: Node keeps one timer list per distinct delay, and fractions make one each.
    return Math.ceil(Math.min(maxDelayMs, Math.max(minDelayMs, q ?? maxDelayMs)));
  }

  /**
   * After this long without an answer an attempt counts as failing for its failure domains: how a hung
   * region trips within milliseconds. Relative to the method's recent p99 and to the upstream's own
   * latency, so a merely slow upstream is not taken for a dead one.
   */
  stallAfterMs(chain: ChainRuntime, label: string, upstream: Upstream): number {
    const configured = chain.settings.breakers.upstream.stallAfterMs;
    const tryTimeout = chain.settings.routing.tryTimeoutMs;
    if (configured > 0) return Math.min(configured, tryTimeout);
    const nowMs = this.now();
    const p99 = chain.methodWindow(label, nowMs).quantile(0.99, nowMs) ?? chain.latency.quantile(0.99, nowMs);
    if (p99 === undefined) return Math.min(FALLBACK_STALL_MS, tryTimeout);
    // The estimate as of its last answer, not decayed while idle: an upstream that was slow and gets a
    // first call again must not have that call taken for a stall (and its region for a dead one).
    const typical = Math.max(p99, upstream.latency.valueMs);
    return Math.ceil(Math.min(tryTimeout, Math.max(MIN_STALL_MS, typical * STALL_FACTOR)));
  }

  needsArchive(chain: ChainRuntime, call: RpcCall): boolean {
    return chain.family.name === 'evm' && isHistoricalStateRead(chain, call.method, call.params);
  }

  dispatch(chain: ChainRuntime, call: RpcCall, options: DispatchOptions): Promise<CallAnswer> {
    const family = chain.family;
    const facts = family.methodFacts(call.method);
    const label = family.methodLabel(call.method);
    const identityCall = isIdentityCall(chain, call);
    const startMs = this.now();
    if (!chain.admission.enter()) {
      this.observer.rejected?.('overloaded');
      this.observer.request(chain.name, label, 'error', 0);
      return Promise.resolve(overloaded(`${chain.name} carries ${chain.admission.inFlight} calls`));
    }
    chain.budget.recordRequest(startMs);
    const body = upstreamRequestBody(call, nextUpstreamId++);
    const selectionRequest = {
      method: call.method,
      latestRead: family.isLatestRead(call.method, call.params),
      needsArchive: this.needsArchive(chain, call),
      minHead: options.minHead,
      tried: new Set<Upstream>(),
      triedDomains: new Set<string>(),
    };
    const hedgeAllowed = (options.hedge ?? facts.hedge) && chain.settings.routing.hedge.enabled;
    const maxAttempts = chain.settings.routing.maxAttempts;

    return new Promise<CallAnswer>((resolve) => {
      const live = new Set<Attempt>();
      const failures: { upstream: string; outcome: Outcome; detail: string }[] = [];
      let passThroughError: { raw: string; upstream: string; outcome: Outcome } | undefined;
      let rejected: CallAnswer | undefined;
      let attempts = 0;
      let done = false;
      /** Some upstream was passed over because its pool and queue were full. */
      let outOfRoom = false;
      let hedgeTimer: NodeJS.Timeout | undefined;

      const finish = (answer: CallAnswer) => {
        if (done) return;
        done = true;
        chain.admission.leave();
        clearTimeout(hedgeTimer);
        clearTimeout(deadlineTimer);
        for (const a of live) {
          a.orphaned = true;
          if (a.kind === 'hedge') this.observer.hedge(chain.name, false);
        }
        this.observer.request(
          chain.name,
          label,
          answer.kind === 'result' ? 'ok' : 'error',
          this.now() - startMs,
        );
        resolve(answer);
      };

      const failAll = () => {
        if (rejected) {
          finish(rejected);
          return;
        }
        if (passThroughError) {
          const { raw, upstream, outcome } = passThroughError;
          finish({ kind: 'error', raw, upstream, outcome });
          return;
        }
        if (outOfRoom) {
          this.observer.rejected?.('overloaded');
          finish(overloaded('every upstream that could serve it is at its connection and queue bound'));
          return;
        }
        const detail = failures.length === 0 ? `chain ${chain.name}` : undefined;
        const name = failures.length === 0 ? 'NO_UPSTREAM' : 'UPSTREAMS_FAILED';
        finish({
          kind: 'error',
          raw: catalogueError(name, detail, { attempts: failures }),
          upstream: undefined,
        });
      };

      const launch = (kind: AttemptKind): boolean => {
        if (done || attempts >= maxAttempts || this.now() >= options.deadlineAtMs) return false;
        const nowMs = this.now();
        const selection = selectUpstream(chain, selectionRequest, nowMs, this.random, options.restrictTo);
        if (!selection) {
          outOfRoom ||= anyFull(chain, selectionRequest.tried, options.restrictTo, nowMs);
          return false;
        }
        if (kind !== 'primary' && !chain.budget.tryRetry(nowMs)) return false;
        if (selection.panic) this.observer.panic(chain.name);
        const upstream = selection.upstream;
        if (chain.shareCaps) {
          chain.shareCaps.record(upstream, nowMs);
          if (selection.capYields & CAP_YIELD_BIT.cloud) this.observer.shareCapYield?.(chain.name, 'cloud');
          if (selection.capYields & CAP_YIELD_BIT.provider)
            this.observer.shareCapYield?.(chain.name, 'provider');
        }
        selectionRequest.tried.add(upstream);
        for (const d of upstream.domains) selectionRequest.triedDomains.add(d);
        attempts++;
        if (kind === 'retry') this.observer.retry(chain.name);
        const attempt: Attempt = { upstream, kind, orphaned: false };
        live.add(attempt);
        const deepRead = selectionRequest.needsArchive;
        void this.runAttempt(
          chain,
          call.method,
          label,
          body,
          attempt,
          selection.panic,
          deepRead,
          identityCall,
          () => {
            // Stalled: the upstream counts as failing now; do not wait for its deadline to try elsewhere.
            if (!done && hedgeAllowed) launch('retry');
          },
        ).then((classification) => {
          live.delete(attempt);
          if (!done) onSettled(attempt, classification);
        });
        return true;
      };

      const onSettled = (attempt: Attempt, c: Classification) => {
        const name = attempt.upstream.name;
        const reply = c.reply;
        if (c.outcome === 'ok' && reply?.kind === 'result') {
          const answer: CallAnswer = { kind: 'result', raw: reply.raw, value: reply.value, upstream: name };
          if (options.accept && !options.accept(reply.value, attempt.upstream)) {
            rejected = answer;
            if (live.size === 0 && !launch('retry')) finish(rejected);
            return;
          }
          if (attempt.kind === 'hedge') this.observer.hedge(chain.name, true);
          finish(answer);
          return;
        }
        if (!retryable(c.outcome, facts, c.mayHaveBeenSent)) {
          if (reply?.kind === 'error') {
            finish({ kind: 'error', raw: reply.raw, upstream: name, outcome: c.outcome });
          } else if (facts.write && c.mayHaveBeenSent) {
            finish({
              kind: 'error',
              raw: catalogueError('TX_OUTCOME_UNKNOWN', c.detail),
              upstream: name,
              outcome: c.outcome,
            });
          } else {
            failures.push({ upstream: name, outcome: c.outcome, detail: c.detail });
            if (live.size === 0) failAll();
          }
          return;
        }
        failures.push({ upstream: name, outcome: c.outcome, detail: c.detail });
        // When every attempt fails, a provider's own error object says more than a generic one.
        if (reply?.kind === 'error')
          passThroughError = { raw: reply.raw, upstream: name, outcome: c.outcome };
        // Nothing sent on a connect error: the retry is free, so it does not draw on the budget.
        const kind: AttemptKind = c.outcome === 'connect_error' ? 'primary' : 'retry';
        if (live.size === 0 && !launch(kind)) failAll();
      };

      const deadlineTimer = setTimeout(
        () => {
          if (failures.length > 0) failAll();
          else finish({ kind: 'error', raw: catalogueError('DEADLINE_EXCEEDED'), upstream: undefined });
        },
        Math.max(0, options.deadlineAtMs - startMs),
      );

      const armHedge = () => {
        if (!hedgeAllowed) return;
        hedgeTimer = setTimeout(
          () => {
            if (done) return;
            if (launch('hedge')) armHedge();
          },
          this.hedgeDelayMs(chain, label),
        );
      };

      if (!launch('primary')) {
        failAll();
        return;
      }
      armHedge();
    });
  }

  /** Sends one attempt and reports its outcome to the upstream, its breaker and its domains. */
  private async runAttempt(
    chain: ChainRuntime,
    method: string,
    label: string,
    body: string,
    attempt: Attempt,
    panic: boolean,
    deepRead: boolean,
    /** The call is the family's identity probe: its answer can show a re-pointed upstream. */
    identityCall: boolean,
    onStall: () => void,
  ): Promise<Classification> {
    const { upstream } = attempt;
    const startMs = this.now();
    let settleVerdict: ((failed: Error | undefined) => void) | undefined;
    const verdict = new Promise<void>((resolve, reject) => {
      settleVerdict = (err) => (err ? reject(err) : resolve());
    });
    // In panic the breaker is bypassed: it would refuse, and answering beats a clean error.
    if (!panic && upstream.breakerAdmits) upstream.breaker.fire(verdict).catch(() => {});
    else verdict.catch(() => {});
    for (const key of upstream.domains) chain.domains.get(key)!.onSend(startMs);
    const pending = upstream.pending.begin(startMs);
    upstream.counts.attempts++;

    // Domains hear of a stall at once (a hung region must open within milliseconds); the upstream's
    // own breaker waits for the final outcome, so a slow answer is not counted as a dead upstream.
    let domainsTold = false;
    let stalled = false;
    const tellDomains = (effect: 'success' | 'failure' | 'neutral', nowMs: number) => {
      if (domainsTold) return;
      domainsTold = true;
      for (const key of upstream.domains) {
        const domain = chain.domains.get(key)!;
        if (effect === 'neutral') domain.recordNeutral(nowMs, startMs);
        else domain.record(upstream.name, effect === 'failure', nowMs, startMs);
      }
    };

    const stallAfter = this.stallAfterMs(chain, label, upstream);
    const onStallTimer = () => {
      // Timers run before I/O after a pause of our own event loop: an answer may be waiting in the
      // socket. A late timer looks once more after I/O instead of blaming the upstream for our pause.
      if (performance.now() - sentAt > stallAfter * 1.5 && !recheckedStall) {
        recheckedStall = true;
        stallTimer = setTimeout(onStallTimer, 1);
        return;
      }
      upstream.lastError = 'no answer (stalled)';
      this.observer.stall(chain.name, upstream.name);
      stalled = true;
      domainsTold = true;
      const nowMs = this.now();
      for (const key of upstream.domains) chain.domains.get(key)!.recordStall(upstream.name, nowMs, startMs);
      if (!attempt.orphaned) onStall();
    };
    const sentAt = performance.now();
    let recheckedStall = false;
    let stallTimer = setTimeout(onStallTimer, stallAfter);

    // The per-try deadline is undici's own header/body timeout: no AbortController or timer per attempt.
    const end = await upstream.client.send(body, undefined, chain.settings.routing.tryTimeoutMs);
    clearTimeout(stallTimer);
    upstream.pending.end(pending);
    const nowMs = this.now();
    const latencyMs = nowMs - startMs;
    let c = classify(method, end, nowMs, chain.family);
    let effect = healthEffect(c.outcome);
    if (effect === 'success') {
      upstream.latency.observe(latencyMs, nowMs);
      chain.latency.record(latencyMs, nowMs);
      chain.methodWindow(label, nowMs).record(latencyMs, nowMs);
      upstream.lastSuccessMs = nowMs;
    } else if (effect === 'failure') {
      upstream.lastError = c.detail;
      // A failure of an attempt sent before a later success or a recovery is old news (a hung call
      // timing out after the upstream came back): it must not push traffic away from an upstream that works.
      // A refused connection costs its caller well under a millisecond and is retried for free, and
      // letting calls meet it again is how every member of a refusing region shows up at once.
      const news = startMs >= Math.max(upstream.lastSuccessMs, upstream.lastRecoveryMs);
      if (news && c.outcome !== 'connect_error') upstream.failures.record(nowMs);
    }
    if (c.outcome === 'throttled') upstream.throttle(nowMs + (c.retryAfterMs ?? 1000));
    if (c.outcome === 'unsupported') upstream.markUnsupported(method);
    // Only an old-state read proves pruning: "header not found" at the head means lagging, not pruned.
    if (c.outcome === 'missing_state' && deepRead && upstream.archive === undefined) upstream.archive = false;
    if (c.outcome === 'ok' && c.reply?.kind === 'result') {
      // Live answers are head evidence too: no extra probe needed while traffic flows.
      const head = chain.family.liveHead(method, c.reply.value);
      if (head !== undefined) chain.recordHead(upstream, head, nowMs);
    }
    if (c.outcome === 'ok' && identityCall && c.reply?.kind === 'result') {
      // A provider re-pointed behind the same URL shows in live answers before the next probe.
      const wasWrong = upstream.wrongChain;
      if (wrongIdentity(chain, upstream, c.reply.value)) {
        if (!wasWrong) this.observer.wrongChain?.(chain.name, upstream.name, upstream.reportedChainId);
        c = { ...c, outcome: 'upstream_error', detail: 'wrong chain id' };
        effect = 'failure';
        upstream.lastError = c.detail;
      }
    }
    if (stalled && effect === 'success') {
      for (const key of upstream.domains)
        chain.domains.get(key)!.recordLateAnswer(upstream.name, nowMs, startMs);
    } else tellDomains(effect, nowMs);
    if (effect === 'failure') upstream.counts.failures++;
    else if (effect === 'success') upstream.counts.successes++;
    settleVerdict!(
      effect === 'failure' ? new FailedVerdict() : effect === 'neutral' ? new NeutralVerdict() : undefined,
    );
    this.observer.attempt(chain.name, upstream.name, label, c.outcome, latencyMs, attempt.kind);
    return c;
  }
}

function overloaded(detail: string): CallAnswer {
  return { kind: 'error', raw: catalogueError('OVERLOADED', detail), upstream: undefined, overloaded: true };
}

/** The call is the family's identity probe (eth_chainId, getGenesisHash, getblockhash [0], status). */
function isIdentityCall(chain: ChainRuntime, call: RpcCall): boolean {
  const probe = chain.family.probes.identity;
  if (call.method !== probe.method) return false;
  const params = call.params ?? (Array.isArray(probe.params) ? [] : {});
  return JSON.stringify(params) === JSON.stringify(probe.params);
}

/** Marks the upstream as on the wrong chain when a live answer to the identity call says so. */
function wrongIdentity(chain: ChainRuntime, upstream: Upstream, value: unknown): boolean {
  const reported = chain.family.probes.readIdentity({ result: value });
  if (reported === undefined || reported === chain.identity) return false;
  upstream.markIdentity(reported, false);
  return true;
}
