// Small helpers the chain-correctness stages share: derived calls (rewritten params, lookups by hash),
// dispatching them with options, and reading the answers' error objects and results.

import type { CallAnswer, DispatchOptions } from '../routing/call-answer.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import type { CallContext } from './call-pipeline.js';

/** A call of `method` with `params` (positional or named), keeping the client's id (the answer goes back under it). */
export function derivedCall(call: RpcCall, method: string, params: unknown): RpcCall {
  return { id: call.id, method, params, paramsRaw: JSON.stringify(params) };
}

/** Sends `call` through the dispatcher with the request's deadline and any extra options. */
export function dispatchCall(
  ctx: CallContext,
  call: RpcCall,
  options: Partial<DispatchOptions> = {},
): Promise<CallAnswer> {
  return ctx.runtime.dispatcher.dispatch(ctx.chain, call, { deadlineAtMs: ctx.deadlineAtMs, ...options });
}

export interface ErrorFields {
  code: number | undefined;
  /** The message, followed by `data` when data is a string (geth puts revert and pool reasons there). */
  text: string;
  data: unknown;
}

/** Code, text and data of an error answer's raw error object. */
export function errorFields(answer: Extract<CallAnswer, { kind: 'error' }>): ErrorFields {
  try {
    const e = JSON.parse(answer.raw) as { code?: unknown; message?: unknown; data?: unknown };
    const message = typeof e.message === 'string' ? e.message : '';
    return {
      code: typeof e.code === 'number' ? e.code : undefined,
      text: typeof e.data === 'string' ? `${message} ${e.data}` : message,
      data: e.data,
    };
  } catch {
    return { code: undefined, text: '', data: undefined };
  }
}

/** A result answer Switchyard builds itself (a hash, a rewritten number, a merged list). */
export function resultAnswer(value: unknown, upstream: string | undefined): CallAnswer {
  return { kind: 'result', raw: JSON.stringify(value), value, upstream: upstream ?? 'switchyard' };
}

/** `0x`-quantity text -> number, when it is one and fits exactly. */
export function quantity(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,13}$/.test(value)) return undefined;
  return Number.parseInt(value, 16);
}

export function toQuantity(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
