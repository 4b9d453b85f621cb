// eth_sendRawTransaction: broadcast at once to upstreams in several failure domains
// (routing.sendTransactionDomains), answer as soon as one accepts. "Already known" for the same bytes
// is acceptance; "nonce too low" is acceptance only when the hash is found. No failure is reported
// while a copy may have been accepted: the hash (keccak-256 of the raw bytes) is looked up with
// eth_getTransactionByHash first, and an unresolved doubt answers TX_OUTCOME_UNKNOWN with the hash.
// A copy is never hedged nor resent; another upstream gets a copy only when one refused without
// executing it (rate limit, method not offered, connection refused).

import { transactionHash } from '../families/evm/tx-hash.js';
import type { CallAnswer } from '../routing/call-answer.js';
import type { ChainRuntime } from '../routing/chain.js';
import { selectUpstream } from '../routing/selection.js';
import type { Upstream } from '../routing/upstream.js';
import { catalogueError, ERRORS } from '../rpc/errors.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import type { CallContext, CallStage } from './call-pipeline.js';
import { derivedCall, dispatchCall, errorFields, resultAnswer } from './stage-calls.js';

const METHOD = 'eth_sendRawTransaction';
/** The same bytes are already in the node's pool: geth, erigon/parity, openethereum, nethermind, anvil. */
const ALREADY_KNOWN = /\balready known\b|\bknown transaction\b|already imported|alreadyknown/i;
/** The sender's nonce is used: by this very transaction (then its hash is found) or by another one. */
const NONCE_USED = /nonce (is )?too low|\boldnonce\b|nonce has already been used/i;
/** Time kept back from the copies for the lookup by hash, at most. */
const CHECK_RESERVE_MS = 1000;
/** Upstreams asked for the hash when the outcome is in doubt. */
const MAX_CHECKS = 8;

/** What one copy's answer says about the transaction. */
export type Verdict =
  /** Accepted: a hash, or "already known". */
  | 'accepted'
  /** "nonce too low": accepted before only if the hash is known somewhere. */
  | 'nonce_used'
  /** The node answered with an error: the transaction is wrong (insufficient funds, underpriced...). */
  | 'rejected'
  /** Refused without executing: rate limited, method not offered, never sent. Another upstream may try. */
  | 'refused'
  /** May have been accepted: timeout or reset after sending, a 5xx, the deadline. */
  | 'uncertain';

const UNSENT_CODES: ReadonlySet<number> = new Set([
  ERRORS.NO_UPSTREAM.rpcCode,
  ERRORS.UPSTREAMS_FAILED.rpcCode, // with one upstream and a write: only errors where nothing was sent
]);

export function verdictOf(answer: CallAnswer): Verdict {
  if (answer.kind === 'result') return 'accepted';
  const { text } = errorFields(answer);
  if (ALREADY_KNOWN.test(text)) return 'accepted';
  if (NONCE_USED.test(text)) return 'nonce_used';
  return outcomeVerdict(answer);
}

/** What an error answer says when no family rule recognised it: by its classified outcome. */
export function outcomeVerdict(answer: Extract<CallAnswer, { kind: 'error' }>): Verdict {
  const { code } = errorFields(answer);
  switch (answer.outcome) {
    case 'deterministic':
    case 'missing_state':
    case 'range_too_large':
      return 'rejected';
    case 'throttled':
    case 'unsupported':
    case 'connect_error':
      return 'refused';
    case undefined:
      // Switchyard's own errors: only "no upstream" and "every attempt failed to connect" prove nothing left.
      return code !== undefined && UNSENT_CODES.has(code) ? 'refused' : 'uncertain';
    default:
      return 'uncertain';
  }
}

interface Copy {
  upstream: Upstream;
  answer: CallAnswer;
  verdict: Verdict;
}

/** Picks the next upstream for a copy: untried, and outside every failure domain already used if possible. */
function nextTarget(
  chain: ChainRuntime,
  method: string,
  tried: Set<Upstream>,
  triedDomains: Set<string>,
  nowMs: number,
): Upstream | undefined {
  const request = { method, latestRead: false, needsArchive: false, tried, triedDomains };
  const picked = selectUpstream(chain, request, nowMs, Math.random)?.upstream;
  if (!picked) return undefined;
  tried.add(picked);
  for (const d of picked.domains) triedDomains.add(d);
  return picked;
}

/** Asks upstreams (those that got a copy first) whether they know the hash; the first that does wins. */
async function lookUpHash(ctx: CallContext, hash: string, sentTo: Upstream[]): Promise<string | undefined> {
  const others = ctx.chain.upstreams.filter((u) => !sentTo.includes(u) && !u.wrongChain);
  const targets = [...sentTo, ...others].slice(0, MAX_CHECKS);
  const call = derivedCall(ctx.call, 'eth_getTransactionByHash', [hash]);
  return new Promise((resolve) => {
    let pending = targets.length;
    if (pending === 0) resolve(undefined);
    for (const u of targets) {
      void dispatchCall(ctx, call, { restrictTo: new Set([u]), hedge: false }).then((answer) => {
        if (answer.kind === 'result' && answer.value !== null && typeof answer.value === 'object') {
          resolve(u.name);
        }
        if (--pending === 0) resolve(undefined);
      });
    }
  });
}

/** How one family's submissions are judged and, when in doubt, looked up. */
export interface BroadcastRules {
  verdictOf(answer: CallAnswer): Verdict;
  /** The answer for a copy accepted as a duplicate (the node's "already have it"), given the id. */
  duplicateResult(id: string): unknown;
  /** Finds the transaction on some upstream when the outcome is in doubt; the upstream's name. */
  lookUp?(ctx: CallContext, id: string, sentTo: Upstream[]): Promise<string | undefined>;
}

const EVM_RULES: BroadcastRules = {
  verdictOf,
  duplicateResult: (hash) => hash,
  lookUp: lookUpHash,
};

/**
 * Sends `call` (a transaction submission) to upstreams in several failure domains at once and answers
 * with the first acceptance; `id` is the transaction's id computed locally (undefined: unknown).
 */
export async function broadcast(
  ctx: CallContext,
  call: RpcCall,
  id: string | undefined,
  rules: BroadcastRules,
): Promise<CallAnswer> {
  const { chain } = ctx;
  const wanted = Math.max(1, chain.settings.routing.sendTransactionDomains);
  const maxCopies = Math.min(chain.upstreams.length, wanted + chain.settings.routing.maxAttempts - 1);
  const reserve = Math.min(CHECK_RESERVE_MS, Math.max(0, (ctx.deadlineAtMs - Date.now()) / 4));
  const copyDeadline = ctx.deadlineAtMs - reserve;
  const tried = new Set<Upstream>();
  const triedDomains = new Set<string>();
  const copies: Copy[] = [];
  const sentTo: Upstream[] = [];

  const settled = await new Promise<CallAnswer | undefined>((resolve) => {
    let live = 0;
    let done = false;
    const launch = (): boolean => {
      if (done || sentTo.length >= maxCopies || Date.now() >= copyDeadline) return false;
      const upstream = nextTarget(chain, call.method, tried, triedDomains, Date.now());
      if (!upstream) return false;
      sentTo.push(upstream);
      live++;
      void dispatchCall(ctx, call, {
        restrictTo: new Set([upstream]),
        hedge: false,
        deadlineAtMs: copyDeadline,
      }).then((answer) => {
        live--;
        const verdict = rules.verdictOf(answer);
        copies.push({ upstream, answer, verdict });
        if (done) return;
        if (verdict === 'accepted') {
          done = true;
          if (answer.kind === 'result' || id === undefined) resolve(answer);
          else resolve(resultAnswer(rules.duplicateResult(id), upstream.name));
          return;
        }
        // Nothing was executed there: the copy may go to another upstream instead.
        if (verdict === 'refused') launch();
        if (live === 0) {
          done = true;
          resolve(undefined);
        }
      });
      return true;
    };
    for (let i = 0; i < wanted; i++) if (!launch()) break;
    if (live === 0) {
      done = true;
      resolve(undefined);
    }
  });
  if (settled) return settled;

  const first = (verdict: Verdict) => copies.find((c) => c.verdict === verdict);
  const doubt = copies.some((c) => c.verdict !== 'refused');
  if (doubt && id !== undefined && rules.lookUp) {
    const knownAt = await rules.lookUp(ctx, id, sentTo);
    if (knownAt !== undefined) return resultAnswer(rules.duplicateResult(id), knownAt);
  }
  const uncertain = first('uncertain');
  if (uncertain) {
    const raw = catalogueError('TX_OUTCOME_UNKNOWN', undefined, id === undefined ? undefined : { hash: id });
    return { kind: 'error', raw, upstream: uncertain.upstream.name };
  }
  const answer = (first('rejected') ?? first('nonce_used') ?? first('refused'))?.answer;
  return (
    answer ?? {
      kind: 'error',
      raw: catalogueError('NO_UPSTREAM', `chain ${chain.name}`),
      upstream: undefined,
    }
  );
}

export const txBroadcastStage: CallStage = (ctx, next) => {
  if (ctx.call.method !== METHOD || !Array.isArray(ctx.call.params)) return next();
  const raw = ctx.call.params[0];
  const hash = transactionHash(raw);
  // Not a hex transaction: the node's own "invalid params" answer says more than anything here.
  if (hash === undefined || ctx.call.params.length !== 1) return next();
  return broadcast(ctx, derivedCall(ctx.call, METHOD, [raw]), hash, EVM_RULES);
};
txBroadcastStage.appliesTo = (_family, method) => method === METHOD;
