// A verified read once the verify stage decided the call is one (verify-stage.ts): pinned to one block
// (EVM: a tag resolved, the header verified by a quorum) or slot/height (Solana, CometBFT), then a
// quorum across independent domains, or an EVM account read proven with eth_getProof; an agreed EVM
// receipt or log list checked against its blocks. Loaded only when a call is verified: it brings
// @ethereumjs (header hashing, proofs, blooms).
import type { VerifyConfig } from '../../config/verify-config.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import { verifyDomains } from '../../routing/verify-domains.js';
import type { RpcCall } from '../../rpc/jsonrpc.js';
import type { CallContext } from '../call-pipeline.js';
import { derivedCall, toQuantity } from '../stage-calls.js';
import {
  BLOCK_PARAM,
  blockCheck,
  isHeader,
  resolveBlockRef,
  type VerifiedHeader,
  verifiedHeader,
} from './evm-blocks.js';
import { evmIntegrityProblem } from './evm-integrity.js';
import { pinToHead } from './head-pins.js';
import { PROOF_METHODS, proofRead } from './proof-read.js';
import { quorumRead } from './quorum.js';
import { dispute, recordVotes, unverified, voteSummary } from './verdicts.js';

/** The call pinned to one block (EVM), with the verified header of that block when it has one. */
type Pinned = { call: RpcCall; header: VerifiedHeader | undefined } | { refused: CallAnswer };

async function pinEvm(ctx: CallContext, policy: VerifyConfig): Promise<Pinned> {
  const { call } = ctx;
  const params = Array.isArray(call.params) ? [...call.params] : [];
  if (call.method === 'eth_getLogs') return { call: await pinLogRange(ctx, params), header: undefined };
  const index = BLOCK_PARAM.get(call.method);
  if (index === undefined) return { call, header: undefined };
  const ref = await resolveBlockRef(ctx, params[index]);
  if ('unverifiable' in ref) return { refused: unverified(ctx, ref.unverifiable, []) };
  if ('hash' in ref) return { call, header: undefined };
  const header = await verifiedHeader(ctx, ref.number, policy);
  if (!isHeader(header)) {
    const reason = header.kind === 'unverified' ? header.reason : 'no agreed header';
    return { refused: unverified(ctx, `block ${ref.number}: ${reason}`, voteSummary(header.votes)) };
  }
  // By hash where the method takes EIP-1898 objects, so every participant reads the same block.
  params[index] =
    call.method === 'eth_getBlockByNumber' ? toQuantity(ref.number) : { blockHash: header.hash };
  return { call: derivedCall(call, call.method, params), header };
}

/** eth_getLogs: tags in fromBlock/toBlock become numbers (a blockHash filter is pinned already). */
async function pinLogRange(ctx: CallContext, params: unknown[]): Promise<RpcCall> {
  const filter = params[0];
  if (typeof filter !== 'object' || filter === null || 'blockHash' in filter) return ctx.call;
  const pinned: Record<string, unknown> = { ...(filter as Record<string, unknown>) };
  for (const key of ['fromBlock', 'toBlock']) {
    const ref = await resolveBlockRef(ctx, pinned[key]);
    if ('number' in ref) pinned[key] = toQuantity(ref.number);
  }
  return derivedCall(ctx.call, 'eth_getLogs', [pinned, ...params.slice(1)]);
}

export async function verifiedCall(
  ctx: CallContext,
  policy: VerifyConfig,
  proofs: boolean,
): Promise<CallAnswer> {
  const evm = ctx.chain.family.name === 'evm';
  let call = ctx.call;
  if (evm) {
    const pinned = await pinEvm(ctx, policy);
    if ('refused' in pinned) return pinned.refused;
    call = pinned.call;
    if (proofs && PROOF_METHODS.has(call.method) && pinned.header) {
      return proofRead(ctx, pinned.header, verifyDomains(ctx.chain, policy.across, Date.now()));
    }
  } else {
    const domains = verifyDomains(ctx.chain, policy.across, Date.now());
    call = pinToHead(ctx.chain.family.name, call, domains, policy.quorum);
  }
  const check = evm && call.method === 'eth_getBlockByNumber' ? blockCheck : undefined;
  const result = await quorumRead(ctx, call, policy, check);
  recordVotes(ctx, call, result.votes, result.kind === 'agreed' ? result.digest : undefined);
  if (result.kind !== 'agreed') return unverified(ctx, result.reason, voteSummary(result.votes));
  const { answer } = result;
  if (evm && answer.kind === 'result') {
    const problem = await evmIntegrityProblem(ctx, call.method, answer.value, policy);
    if (problem) {
      for (const v of result.votes) if (v.digest === result.digest) dispute(ctx, v.upstream, call);
      return unverified(
        ctx,
        `the agreed answer failed its integrity check: ${problem}`,
        voteSummary(result.votes),
      );
    }
  }
  return { ...answer, verified: result.header };
}
