// Answers the items of one JSON-RPC message (a single call or a batch), each through the call stages
// on its own: the same for HTTP bodies and WebSocket frames. Each item in the envelope it came in.

import type { CallAnswer } from '../routing/call-answer.js';
import type { ChainRuntime } from '../routing/chain.js';
import { catalogueError } from '../rpc/errors.js';
import { errorResponse, type ParsedItem, type RawId, type RpcCall, resultResponse } from '../rpc/jsonrpc.js';
import {
  errorCodeOf,
  legacyErrorResponse,
  legacyErrorStatus,
  legacyResultResponse,
} from '../rpc/legacy-envelope.js';
import type { Runtime } from '../runtime/runtime.js';
import { type CallStage, runPipeline, type SubscriberSession } from './call-pipeline.js';
import type { VerifyMode } from './verify/verify-mode.js';

export interface ItemAnswer {
  /** The response element, or undefined for a notification. */
  text: string | undefined;
  upstream: string | undefined;
  /** Refused by admission control: as a whole answer, HTTP 503 with Retry-After. */
  overloaded?: true;
  /** A 1.0/1.1 error: as a whole answer, Bitcoin Core's HTTP status for it (500, 400 or 404). */
  legacyStatus?: number;
  /** How the answer was verified (x-switchyard-verified), when it was. */
  verified?: string;
}

export interface MessageContext {
  runtime: Runtime;
  stages: readonly CallStage[];
  chain: ChainRuntime;
  deadlineAtMs: number;
  /** The WebSocket connection the message came on; HTTP has none (no subscriptions). */
  session?: SubscriberSession;
  /** The client's W3C `traceparent`, when `tracing` is configured. */
  traceparent?: string | undefined;
  /** The request's `x-switchyard-verify`; undefined: the chain's policy. */
  verify?: VerifyMode | undefined;
}

/** One call's answer element: one promise per call (the pipeline's), nothing awaited on top. */
function answerItem(ctx: MessageContext, item: ParsedItem): Promise<ItemAnswer> {
  if (item.kind === 'invalid') return Promise.resolve(invalidAnswer(item));
  const { call } = item;
  if (item.legacy) return legacyAnswerOf(ctx, call);
  return pipelineOf(ctx, call).then(
    (answer) => itemAnswer(call, answer),
    (err: unknown) => internalAnswer(ctx, call, err),
  );
}

/**
 * `answerItem` for a single call over HTTP: the element goes to `done`, one promise hop sooner.
 * `done` must not throw (it runs as a promise reaction).
 */
export function answerItemThen(
  ctx: MessageContext,
  item: ParsedItem,
  done: (answer: ItemAnswer) => void,
): void {
  if (item.kind === 'invalid') {
    done(invalidAnswer(item));
    return;
  }
  const { call } = item;
  if (item.legacy) {
    legacyAnswerOf(ctx, call).then(done);
    return;
  }
  pipelineOf(ctx, call).then(
    (answer) => done(itemAnswer(call, answer)),
    (err: unknown) => done(internalAnswer(ctx, call, err)),
  );
}

function pipelineOf(ctx: MessageContext, call: RpcCall): Promise<CallAnswer> {
  const { runtime, chain, deadlineAtMs, session, traceparent, verify } = ctx;
  try {
    return runPipeline(ctx.stages, { runtime, chain, call, deadlineAtMs, session, traceparent, verify });
  } catch (err) {
    return Promise.reject(err);
  }
}

function invalidAnswer(item: Extract<ParsedItem, { kind: 'invalid' }>): ItemAnswer {
  if (item.legacy) {
    const raw = catalogueError('INVALID_REQUEST', item.message);
    return legacyItemAnswer(item.id, { kind: 'error', raw, upstream: undefined });
  }
  return {
    text: errorResponse(item.id, catalogueError('INVALID_REQUEST', item.message)),
    upstream: undefined,
  };
}

function internalAnswer(ctx: MessageContext, call: RpcCall, err: unknown): ItemAnswer {
  return itemAnswer(call, internalError(ctx, call, err));
}

function internalError(ctx: MessageContext, call: RpcCall, err: unknown): CallAnswer {
  ctx.runtime.logger.error('call failed inside the balancer', {
    method: call.method.slice(0, 64),
    error: String(err),
  });
  return { kind: 'error', raw: catalogueError('INTERNAL'), upstream: undefined };
}

/** A 1.0/1.1 call's answer element: every call is answered, one without an id with no `id` member. */
function legacyAnswerOf(ctx: MessageContext, call: RpcCall): Promise<ItemAnswer> {
  return pipelineOf(ctx, call).then(
    (answer) => legacyItemAnswer(call.id, answer),
    (err: unknown) => legacyItemAnswer(call.id, internalError(ctx, call, err)),
  );
}

function legacyItemAnswer(id: RawId | undefined, answer: CallAnswer): ItemAnswer {
  if (answer.kind === 'result') {
    const item: ItemAnswer = { text: legacyResultResponse(id, answer.raw), upstream: answer.upstream };
    if (answer.verified !== undefined) item.verified = answer.verified;
    return item;
  }
  const text = legacyErrorResponse(id, answer.raw);
  if (answer.overloaded) return { text, upstream: undefined, overloaded: true };
  return { text, upstream: answer.upstream, legacyStatus: legacyErrorStatus(errorCodeOf(answer.raw)) };
}

function itemAnswer(call: RpcCall, answer: CallAnswer): ItemAnswer {
  if (call.id === undefined) return { text: undefined, upstream: answer.upstream };
  const item: ItemAnswer =
    answer.kind === 'result'
      ? { text: resultResponse(call.id, answer.raw), upstream: answer.upstream }
      : answer.overloaded
        ? { text: errorResponse(call.id, answer.raw), upstream: undefined, overloaded: true }
        : { text: errorResponse(call.id, answer.raw), upstream: answer.upstream };
  if (answer.verified !== undefined) item.verified = answer.verified;
  return item;
}

export function answerItems(ctx: MessageContext, items: readonly ParsedItem[]): Promise<ItemAnswer[]> {
  if (items.length === 1) return answerItem(ctx, items[0]!).then(inList);
  return Promise.all(items.map((item) => answerItem(ctx, item)));
}

function inList(answer: ItemAnswer): ItemAnswer[] {
  return [answer];
}
