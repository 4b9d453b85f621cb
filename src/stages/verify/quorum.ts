// A quorum read: the call goes to one upstream in each of `quorum` distinct domains at once (each
// domain fails over among its own members); when the answers disagree, `onDispute: majority` asks
// further domains until one answer reaches the quorum, `error` gives up. Answers are compared by the
// digest of their canonical form; an answer that fails its integrity check counts against its upstream.
import type { VerifyConfig } from '../../config/verify-config.js';
import { answerDigest } from '../../routing/answer-digest.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import type { Upstream } from '../../routing/upstream.js';
import { verifyDomains } from '../../routing/verify-domains.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import type { CallContext } from '../call-pipeline.js';
import { dispatchCall } from '../stage-calls.js';

/** An integrity check of one answer: ok, invalid (evidence against its upstream) or absent (no vote). */
export type AnswerCheck = (value: unknown) => 'ok' | 'invalid' | 'absent';

export interface Vote {
  upstream: Upstream;
  domain: string;
  digest: string;
  answer: CallAnswer;
  /** Failed its integrity check: a dispute whatever the vote. */
  invalid: boolean;
  /** A null result: may be a lagging node, never a dispute by itself. */
  empty: boolean;
}

export type QuorumResult =
  | { kind: 'agreed'; answer: CallAnswer; header: string; votes: Vote[]; digest: string }
  | { kind: 'unverified'; reason: string; votes: Vote[] };

type QuorumPolicy = Pick<VerifyConfig, 'quorum' | 'across' | 'onDispute'>;

/** The answer counts as a vote: a result, or an error every honest node gives alike (a revert). */
function countable(answer: CallAnswer): boolean {
  return answer.kind === 'result' || answer.outcome === 'deterministic';
}

export async function quorumRead(
  ctx: CallContext,
  call: RpcCall,
  policy: QuorumPolicy,
  check?: AnswerCheck,
): Promise<QuorumResult> {
  const { quorum, across } = policy;
  const domains = verifyDomains(ctx.chain, across, Date.now());
  if (domains.length < quorum) {
    return {
      kind: 'unverified',
      reason: `${domains.length} usable ${across}(s), the quorum needs ${quorum}`,
      votes: [],
    };
  }
  const votes: Vote[] = [];
  let next = 0;
  let launch = quorum;
  // Bounded: each round asks at least one new domain, and there are finitely many.
  while (launch > 0 && next < domains.length) {
    const round = domains.slice(next, next + launch);
    next += round.length;
    const answers = await Promise.all(
      round.map((d) => dispatchCall(ctx, call, { restrictTo: new Set(d.members), hedge: false })),
    );
    answers.forEach((answer, i) => {
      const domain = round[i]!;
      const upstream = domain.members.find((u) => u.name === answer.upstream);
      if (!upstream || !countable(answer)) return;
      const verdict = answer.kind === 'result' && check ? check(answer.value) : 'ok';
      if (verdict === 'absent') return;
      const empty = answer.kind === 'result' && answer.value === null;
      votes.push({
        upstream,
        domain: domain.name,
        digest: answerDigest(answer, ctx.chain.family.name),
        answer,
        invalid: verdict === 'invalid',
        empty,
      });
    });
    const best = leading(votes);
    if (best && best.length >= quorum) {
      const agreed = best.slice(0, quorum);
      const header = `quorum ${agreed.length}/${quorum} ${across}=${agreed.map((v) => v.domain).join(',')}`;
      return { kind: 'agreed', answer: agreed[0]!.answer, header, votes, digest: agreed[0]!.digest };
    }
    const disputed = votes.some((v) => v.invalid) || new Set(votes.map((v) => v.digest)).size > 1;
    if (disputed && policy.onDispute === 'error') {
      return { kind: 'unverified', reason: 'the answers disagree (onDispute: error)', votes };
    }
    launch = quorum - (best?.length ?? 0);
  }
  return {
    kind: 'unverified',
    reason: `no answer reached the quorum of ${quorum} across ${domains.length} ${across}(s)`,
    votes,
  };
}

/** The largest group of valid votes with one digest, one vote per domain. */
function leading(votes: readonly Vote[]): Vote[] | undefined {
  const groups = new Map<string, Map<string, Vote>>();
  for (const v of votes) {
    if (v.invalid) continue;
    const group = groups.get(v.digest) ?? new Map<string, Vote>();
    if (!group.has(v.domain)) group.set(v.domain, v);
    groups.set(v.digest, group);
  }
  let best: Vote[] | undefined;
  for (const group of groups.values()) if (!best || group.size > best.length) best = [...group.values()];
  return best;
}
