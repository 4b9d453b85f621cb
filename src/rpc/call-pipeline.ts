// The stages one JSON-RPC call passes through before and around the dispatcher. Each stage is its own
// module (deny list, cache, transaction broadcast, sticky filters, ...) and may answer by itself.
import type { ChainRuntime } from '../routing/chain.js';
import type { CallAnswer } from '../routing/dispatcher.js';
import type { Runtime } from '../runtime.js';
import type { RpcCall } from './jsonrpc.js';

/** What a WebSocket connection offers the subscription stage (src/subscriptions/subscription-stage.ts). */
export interface SubscriberSession {
  /** Subscribes; returns the new id, or a raw JSON-RPC error object. */
  subscribe(kind: string, params: readonly unknown[]): { id: string } | { error: string };
  unsubscribe(id: string): boolean;
}

export interface CallContext {
  runtime: Runtime;
  chain: ChainRuntime;
  call: RpcCall;
  deadlineAtMs: number;
  /** Set for calls that came over a WebSocket: they may subscribe. */
  session?: SubscriberSession | undefined;
}

export type CallStage = (ctx: CallContext, next: () => Promise<CallAnswer>) => Promise<CallAnswer>;

export function runPipeline(stages: readonly CallStage[], ctx: CallContext): Promise<CallAnswer> {
  const step = (i: number): Promise<CallAnswer> => {
    const stage = stages[i];
    if (!stage)
      return ctx.runtime.dispatcher.dispatch(ctx.chain, ctx.call, { deadlineAtMs: ctx.deadlineAtMs });
    return stage(ctx, () => step(i + 1));
  };
  return step(0);
}
