// The stages one JSON-RPC call passes through before and around the dispatcher. Each stage is its own
// module (deny list, cache, transaction broadcast, sticky filters, ...) and may answer by itself.

import type { CallAnswer } from '../routing/call-answer.js';
import type { ChainRuntime } from '../routing/chain.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import type { Runtime } from '../runtime/runtime.js';
import type { VerifyMode } from './verify/verify-mode.js';

/** What a WebSocket connection offers the subscription stage (src/subscriptions/subscription-stage.ts). */
export interface SubscriberSession {
  /** Subscribes; returns the new id, or a raw JSON-RPC error object. */
  /** `started`: answer the id once it settles (the feed has its first block). */
  subscribe(
    kind: string,
    params: readonly unknown[],
  ): { id: string; started?: Promise<void> } | { error: string };
  unsubscribe(id: string): boolean;
  /** A family's own subscribe/unsubscribe (Solana, CometBFT); undefined when the family has none. */
  /** `id`: the request's raw id (CometBFT notifications carry the subscribe request's id). */
  familyCall?(
    method: string,
    params: unknown,
    id: string | undefined,
  ): { result: string } | { error: string } | undefined;
}

export interface CallContext {
  runtime: Runtime;
  chain: ChainRuntime;
  call: RpcCall;
  deadlineAtMs: number;
  /** Set for calls that came over a WebSocket: they may subscribe. */
  session?: SubscriberSession | undefined;
  /** Set for createSwitchyard's calls (in process: no HTTP request, no WebSocket). */
  inProcess?: boolean | undefined;
  /** The client's W3C `traceparent` header (HTTP request or WebSocket upgrade); read only with `tracing`. */
  traceparent?: string | undefined;
  /** The request's `x-switchyard-verify` (src/stages/verify/); undefined: the chain's policy. */
  verify?: VerifyMode | undefined;
}

export type CallStage = ((ctx: CallContext, next: () => Promise<CallAnswer>) => Promise<CallAnswer>) & {
  /**
   * Which calls the stage can act on, by family and method (a superset is fine: the stage still
   * checks). Stages that cannot act on a call are left out of its pipeline; without it, always run.
   */
  appliesTo?: StageFilter;
};

type StageFilter = (family: string, method: string) => boolean;

/** Pipelines per stage list, by family and method; bounded, since clients name the methods. */
const applicable = new WeakMap<readonly CallStage[], Map<string, readonly CallStage[]>>();
const MAX_PIPELINES = 1024;

function stagesFor(stages: readonly CallStage[], family: string, method: string): readonly CallStage[] {
  let byCall = applicable.get(stages);
  if (!byCall) {
    byCall = new Map();
    applicable.set(stages, byCall);
  }
  const key = `${family}\u0000${method}`;
  const known = byCall.get(key);
  if (known) return known;
  const list = stages.filter((stage) => stage.appliesTo?.(family, method) ?? true);
  if (byCall.size < MAX_PIPELINES) byCall.set(key, list);
  return list;
}

export function runPipeline(stages: readonly CallStage[], ctx: CallContext): Promise<CallAnswer> {
  const list = stagesFor(stages, ctx.chain.family.name, ctx.call.method);
  const step = (i: number): Promise<CallAnswer> => {
    const stage = list[i];
    if (!stage)
      return ctx.runtime.dispatcher.dispatch(ctx.chain, ctx.call, { deadlineAtMs: ctx.deadlineAtMs });
    return stage(ctx, () => step(i + 1));
  };
  return step(0);
}
