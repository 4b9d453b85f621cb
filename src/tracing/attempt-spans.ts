// A child span per upstream attempt of a traced call, from the observer's attempt hooks
// (src/routing/observer.ts): the upstream, its failure domains, the attempt's kind, why it was a hedge
// or a retry, and how it ended. The first attempt of a dispatched call finds the client call's span in
// the running scope (call-spans.ts); its retries and hedges, launched from timers and answers, find it
// through their call. Calls outside a traced client call (health checks, feeds) get no spans.
import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { AttemptView, Observer } from '../routing/observer.js';
import { healthEffect, type Outcome } from '../rpc/outcome.js';
import type { CallSpans, CallTrace } from './call-spans.js';

/** What the previous attempts of one dispatched call did: the reason for the next one. */
interface DispatchTrace {
  readonly call: CallTrace;
  attempts: number;
  lastStartMs: number;
  /** The latest event that can prompt another attempt, as the reason text it gives. */
  lastEvent: string | undefined;
}

export function tracingObserver(
  base: Observer,
  tracer: Tracer,
  calls: CallSpans,
  now: () => number = Date.now,
): Observer {
  const dispatches = new WeakMap<object, DispatchTrace>();
  const spans = new WeakMap<AttemptView, Span>();
  const observer: Observer = Object.create(base);

  observer.attemptStarted = (attempt) => {
    base.attemptStarted?.(attempt);
    let dispatch = dispatches.get(attempt.owner);
    if (dispatch === undefined) {
      const call = calls.current();
      if (call === undefined) return;
      dispatch = { call, attempts: 0, lastStartMs: now(), lastEvent: undefined };
      dispatches.set(attempt.owner, dispatch);
    }
    const nowMs = now();
    const { upstream, kind } = attempt;
    const span = tracer.startSpan(
      `attempt ${upstream.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'switchyard.upstream': upstream.name,
          'switchyard.failure_domains': [...upstream.domains],
          'switchyard.attempt.kind': kind,
          'switchyard.attempt.number': dispatch.attempts + 1,
        },
      },
      dispatch.call.context,
    );
    const reason = reasonFor(kind, dispatch, nowMs);
    if (reason !== undefined) span.setAttribute('switchyard.attempt.reason', reason);
    dispatch.attempts++;
    dispatch.lastStartMs = nowMs;
    spans.set(attempt, span);
  };

  observer.attemptStalled = (attempt) => {
    base.attemptStalled?.(attempt);
    const span = spans.get(attempt);
    if (span === undefined) return;
    span.addEvent('stalled');
    const dispatch = dispatches.get(attempt.owner);
    if (dispatch)
      dispatch.lastEvent = `${attempt.upstream.name} stalled (no answer within its stall deadline)`;
  };

  observer.attemptEnded = (attempt, outcome, detail) => {
    base.attemptEnded?.(attempt, outcome, detail);
    const span = spans.get(attempt);
    if (span === undefined) return;
    spans.delete(attempt);
    span.setAttribute('switchyard.outcome', outcome);
    if (detail) span.setAttribute('switchyard.outcome.detail', detail);
    if (healthEffect(outcome) === 'failure') span.setStatus({ code: SpanStatusCode.ERROR, message: detail });
    span.end();
    const dispatch = dispatches.get(attempt.owner);
    if (dispatch) dispatch.lastEvent = endedReason(attempt.upstream.name, outcome, detail);
  };
  return observer;
}

/** Why this attempt was made: undefined for a call's first. */
function reasonFor(kind: AttemptView['kind'], dispatch: DispatchTrace, nowMs: number): string | undefined {
  if (dispatch.attempts === 0) return undefined;
  if (kind === 'hedge') return `hedge: no answer within ${nowMs - dispatch.lastStartMs} ms (the hedge delay)`;
  return `${kind === 'retry' ? 'retry' : 'free retry'}: ${dispatch.lastEvent ?? 'the previous attempt failed'}`;
}

function endedReason(upstream: string, outcome: Outcome, detail: string): string {
  if (outcome === 'ok') return `${upstream}'s answer was not accepted (behind the client's block)`;
  return `${upstream} answered ${outcome}${detail ? ` (${detail})` : ''}`;
}
