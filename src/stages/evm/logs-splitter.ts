// eth_getLogs over a block range a provider rejects as too large (outcome range_too_large): the range
// is bisected and the halves fetched (a few at a time), then merged in block order. Tags are resolved
// first (`latest` and an omitted bound to the head already handed out or the best known head,
// `earliest` to 0), so every part reads the same blocks. Bounded by depth, number of sub-requests and
// the request deadline; past a bound the provider's own "too large" error is the answer.

import type { CallAnswer } from '../../routing/call-answer.js';
import { catalogueError } from '../../rpc/errors.js';
import { type CallContext, type CallStage, runPipeline } from '../call-pipeline.js';
import { quantity, toQuantity } from '../stage-calls.js';

/** A range is halved at most this many times (2^12 = 4096 parts). */
const MAX_SPLIT_DEPTH = 12;
/** Sub-requests of one eth_getLogs call, including the halves that were split again. */
export const MAX_SUBREQUESTS = 256;
/** Sub-requests of one call in flight at once. */
const SPLIT_PARALLELISM = 4;

type Bound = bigint | undefined;

function resolveBound(value: unknown, head: number): Bound {
  if (value === undefined || value === null || value === 'latest') return head > 0 ? BigInt(head) : undefined;
  if (value === 'earliest') return 0n;
  const n = typeof value === 'string' ? quantity(value) : undefined;
  return n === undefined ? undefined : BigInt(n);
}

/** The elements of a JSON array text, without its brackets ('' when empty). */
function arrayBody(raw: string): string {
  return raw.trim().slice(1, -1).trim();
}

function merge(parts: CallAnswer[]): CallAnswer {
  const values: unknown[] = [];
  const bodies: string[] = [];
  const upstreams = new Set<string>();
  for (const part of parts) {
    if (part.kind !== 'result' || !Array.isArray(part.value)) return part;
    values.push(...part.value);
    const body = arrayBody(part.raw);
    if (body) bodies.push(body);
    upstreams.add(part.upstream);
  }
  return { kind: 'result', raw: `[${bodies.join(',')}]`, value: values, upstream: [...upstreams].join(',') };
}

/** Runs at most `limit` tasks at once. */
function limiter(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export function logsSplitterStage(tail: readonly CallStage[]): CallStage {
  const stage: CallStage = (ctx, next) => {
    const { call, chain } = ctx;
    if (call.method !== 'eth_getLogs' || !Array.isArray(call.params) || call.params.length !== 1)
      return next();
    const filter = call.params[0];
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return next();
    const f = filter as Record<string, unknown>;
    if (f.blockHash !== undefined && f.blockHash !== null) return next();
    const head = Math.max(chain.servedHead, chain.bestHead ?? 0);
    const from = resolveBound(f.fromBlock, head);
    const to = resolveBound(f.toBlock, head);
    // pending/safe/finalized, unknown head, or a range that is empty as asked: sent as it came.
    if (from === undefined || to === undefined || from > to) return next();
    return fetchLogs(ctx, tail, f, from, to);
  };
  stage.appliesTo = (_family, method) => method === 'eth_getLogs';
  return stage;
}

async function fetchLogs(
  ctx: CallContext,
  tail: readonly CallStage[],
  filter: Record<string, unknown>,
  from: bigint,
  to: bigint,
): Promise<CallAnswer> {
  const run = limiter(SPLIT_PARALLELISM);
  let sent = 0;
  const fetchRange = async (lo: bigint, hi: bigint, depth: number): Promise<CallAnswer> => {
    if (Date.now() >= ctx.deadlineAtMs) {
      return { kind: 'error', raw: catalogueError('DEADLINE_EXCEEDED'), upstream: undefined };
    }
    sent++;
    const params = [{ ...filter, fromBlock: toQuantity(lo), toBlock: toQuantity(hi) }];
    const call = { ...ctx.call, params, paramsRaw: JSON.stringify(params) };
    const answer = await run(() => runPipeline(tail, { ...ctx, call }));
    const splittable =
      answer.kind === 'error' &&
      answer.outcome === 'range_too_large' &&
      lo < hi &&
      depth < MAX_SPLIT_DEPTH &&
      sent + 2 <= MAX_SUBREQUESTS;
    if (!splittable) return answer;
    const mid = lo + (hi - lo) / 2n;
    const halves = await Promise.all([fetchRange(lo, mid, depth + 1), fetchRange(mid + 1n, hi, depth + 1)]);
    return merge(halves);
  };
  return fetchRange(from, to, 0);
}
