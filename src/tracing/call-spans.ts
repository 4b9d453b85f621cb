// The span of each client call (HTTP body element or WebSocket frame element): a call stage that runs
// first, continues the client's W3C `traceparent` when it sent one (the client's sampling decision
// stands) and samples `tracing.sampleRate` of the other calls. A traced call's pipeline runs inside
// an AsyncLocalStorage scope, so the attempts the dispatcher makes for it (attempt-spans.ts) find
// their parent without anything threaded through the engine. Unsampled calls run as without tracing.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { CallAnswer } from '../routing/call-answer.js';
import type { CallContext, CallStage } from '../stages/call-pipeline.js';

/** A traced client call: its span, open until the answer is known. */
export interface CallTrace {
  readonly span: Span;
  /** The context its attempts' spans are children of. */
  readonly context: Context;
  open: boolean;
}

const propagator = new W3CTraceContextPropagator();

export class CallSpans {
  private readonly scope = new AsyncLocalStorage<CallTrace>();
  readonly stage: CallStage;

  constructor(
    private readonly tracer: Tracer,
    private readonly sampleRate: number,
    private readonly random: () => number = Math.random,
  ) {
    this.stage = (ctx, next) => this.run(ctx, next);
  }

  /** The traced call whose pipeline is running now, if any. */
  current(): CallTrace | undefined {
    const call = this.scope.getStore();
    return call?.open ? call : undefined;
  }

  private run(ctx: CallContext, next: () => Promise<CallAnswer>): Promise<CallAnswer> {
    const parent = this.parentOf(ctx.traceparent);
    if (parent === undefined) return next();
    const { call, chain } = ctx;
    const span = this.tracer.startSpan(
      chain.family.methodLabel(call.method),
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'jsonrpc',
          'rpc.method': call.method.slice(0, 64),
          'switchyard.chain': chain.name,
          'switchyard.transport': ctx.session ? 'websocket' : ctx.inProcess ? 'library' : 'http',
        },
      },
      parent,
    );
    if (!span.isRecording()) return next();
    const traced: CallTrace = { span, context: trace.setSpan(ROOT_CONTEXT, span), open: true };
    return this.scope.run(traced, next).then(
      (answer) => {
        endCall(traced, answer);
        return answer;
      },
      (err: unknown) => {
        traced.open = false;
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'internal error' });
        span.end();
        throw err;
      },
    );
  }

  /**
   * The parent context of a call's span: the client's trace when it sent a valid `traceparent`
   * (unsampled by the client: not traced here either), else a new trace for a sampled share of calls.
   */
  private parentOf(traceparent: string | undefined): Context | undefined {
    if (traceparent !== undefined) {
      const context = propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
      const remote = trace.getSpanContext(context);
      if (remote) return remote.traceFlags & 1 ? context : undefined;
    }
    return this.random() < this.sampleRate ? ROOT_CONTEXT : undefined;
  }
}

function endCall(traced: CallTrace, answer: CallAnswer): void {
  traced.open = false;
  const { span } = traced;
  if (answer.upstream !== undefined) span.setAttribute('switchyard.upstream', answer.upstream);
  if (answer.kind === 'error') {
    const code = errorCode(answer.raw);
    if (code !== undefined) span.setAttribute('rpc.jsonrpc.error_code', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(answer.raw) });
  }
  span.end();
}

function errorCode(raw: string): number | undefined {
  const m = /"code"\s*:\s*(-?\d+)/.exec(raw);
  return m ? Number(m[1]) : undefined;
}

function errorMessage(raw: string): string {
  const m = /"message"\s*:\s*"((?:[^"\\]|\\.){0,200})/.exec(raw);
  return m ? m[1]! : 'error';
}
