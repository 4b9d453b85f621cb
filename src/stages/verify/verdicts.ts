// What a verified read leaves behind: agreeing upstreams end their probation, the minority and those
// whose answers failed their checks get a dispute (metrics, /status, out of rotation when repeated),
// and an unverifiable read answers UNVERIFIED naming the upstreams and a digest of each answer.

import type { CallAnswer } from '../../routing/call-answer.js';
import { noteDispute } from '../../routing/disputes.js';
import type { Upstream } from '../../routing/upstream.js';
import { catalogueError } from '../../rpc/errors.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import type { CallContext } from '../call-pipeline.js';
import type { Vote } from './quorum.js';

/** One upstream's answer to `read` lost or failed its check (a probe replays `read` to decide its return). */
export function dispute(ctx: CallContext, upstream: Upstream, read: RpcCall, nowMs = Date.now()): void {
  const { chain, runtime } = ctx;
  if (upstream.disputes.record(nowMs, { method: read.method, params: read.params })) {
    runtime.logger.warn('upstream out of rotation after repeated disputes', {
      chain: chain.name,
      upstream: upstream.name,
      disputes: upstream.disputes.count,
    });
  }
  runtime.dispatcher.observer.verifiedRead?.(chain.name, upstream.name, 'disputed');
}

/** Records the verdict of a quorum read of `call` whose winning digest is `agreed` (undefined: none won). */
export function recordVotes(ctx: CallContext, call: RpcCall, votes: readonly Vote[], agreed?: string): void {
  const observer = ctx.runtime.dispatcher.observer;
  const losers: Vote[] = [];
  for (const v of votes) {
    if (agreed !== undefined && !v.invalid && v.digest === agreed) {
      v.upstream.disputes.agreed();
      observer.verifiedRead?.(ctx.chain.name, v.upstream.name, 'verified');
    } else if (v.invalid || (agreed !== undefined && !v.empty)) {
      losers.push(v);
    }
  }
  for (const v of losers) dispute(ctx, v.upstream, call);
  const split = new Set(votes.map((v) => v.digest)).size > 1;
  if (losers.length > 0 || (agreed === undefined && split)) {
    noteDispute(ctx.chain.lastDisputes, {
      at: new Date().toISOString(),
      method: call.method,
      agreed: agreed ?? null,
      answers: votes.map((v) => ({
        upstream: v.upstream.name,
        digest: v.invalid ? `invalid:${v.digest}` : v.digest,
      })),
    });
  }
}

/** UNVERIFIED, naming the upstreams and a digest of each answer (never a URL or a value). */
export function unverified(
  ctx: CallContext,
  reason: string,
  answers: readonly { upstream: string; digest: string }[],
): CallAnswer {
  ctx.runtime.dispatcher.observer.verifiedRead?.(ctx.chain.name, '', 'unverified');
  const data = { chain: ctx.chain.name, method: ctx.call.method, reason, answers };
  return { kind: 'error', raw: catalogueError('UNVERIFIED', reason, data), upstream: undefined };
}

export function voteSummary(votes: readonly Vote[]): { upstream: string; digest: string }[] {
  return votes.map((v) => ({
    upstream: v.upstream.name,
    digest: v.invalid ? `invalid:${v.digest}` : v.digest,
  }));
}
