// JSON-RPC 2.0 as the fake EVM provider speaks it: call and outcome types, and the reply texts for one
// body (single call or batch). Each reply is built as one string, so the benchmark floor stays lean.

export interface RpcCall {
  method: string;
  params: unknown[];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcOutcome = { result: unknown } | { error: RpcErrorObject };

/** A whole HTTP answer: status and body text (an empty body for a notification-only request). */
export interface WireAnswer {
  status: number;
  body: string;
}

/**
 * Answers a parsed JSON body in place of the built-in EVM methods: another chain family with its own
 * envelope and HTTP statuses (Bitcoin Core 1.0 answers errors with HTTP 500).
 */
export type WireAnswerer = (parsed: unknown) => WireAnswer;

/** Answers one well-formed call. */
export type CallAnswerer = (method: string, params: unknown[]) => RpcOutcome;

export function errorJson(idJson: string, code: number, message: string, data?: unknown): string {
  const dataPart = data === undefined ? '' : `,"data":${JSON.stringify(data)}`;
  const error = `{"code":${code},"message":${JSON.stringify(message)}${dataPart}}`;
  return `{"jsonrpc":"2.0","id":${idJson},"error":${error}}`;
}

function outcomeJson(idJson: string, outcome: RpcOutcome): string {
  if ('error' in outcome) {
    const { code, message, data } = outcome.error;
    return errorJson(idJson, code, message, data);
  }
  return `{"jsonrpc":"2.0","id":${idJson},"result":${JSON.stringify(outcome.result) ?? 'null'}}`;
}

/** The id of a call as JSON text; undefined when absent or not a valid JSON-RPC id. */
function idJsonOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const id = (item as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number' || id === null) return JSON.stringify(id);
  return undefined;
}

/** One reply per call with an id (same shape as the request), e.g. for rate-limit errors. */
export function replyToEach(
  parsed: unknown,
  parseFailed: boolean,
  reply: (idJson: string) => string,
): string {
  if (parseFailed) return reply('null');
  if (!Array.isArray(parsed)) return reply(idJsonOf(parsed) ?? 'null');
  const parts: string[] = [];
  for (const item of parsed) parts.push(reply(idJsonOf(item) ?? 'null'));
  return `[${parts.join(',')}]`;
}

/** The reply text to a parsed body: one call or a batch; '' when only notifications were sent. */
export function answerBody(parsed: unknown, answer: CallAnswerer): string {
  if (!Array.isArray(parsed)) return callJson(parsed, answer) ?? '';
  if (parsed.length === 0) return errorJson('null', -32600, 'empty batch');
  const parts: string[] = [];
  for (const item of parsed) {
    const part = callJson(item, answer);
    if (part !== undefined) parts.push(part);
  }
  // A batch of notifications only gets no body at all (JSON-RPC 2.0 section 6).
  return parts.length === 0 ? '' : `[${parts.join(',')}]`;
}

/** The reply to one call, or undefined for a notification. */
function callJson(item: unknown, answer: CallAnswerer): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return errorJson('null', -32600, 'invalid request');
  }
  const call = item as { id?: unknown; method?: unknown; params?: unknown };
  const hasId = 'id' in call;
  const idJson = idJsonOf(call);
  if (hasId && idJson === undefined) return errorJson('null', -32600, 'invalid request id');
  if (typeof call.method !== 'string') return errorJson(idJson ?? 'null', -32600, 'invalid request');
  const params = Array.isArray(call.params) ? call.params : [];
  const outcome = answer(call.method, params);
  return hasId ? outcomeJson(idJson!, outcome) : undefined;
}
