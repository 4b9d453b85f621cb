// EVM proofs: eth_getBalance, eth_getTransactionCount, eth_getCode and eth_getStorageAt answered from
// one upstream's eth_getProof, checked against the stateRoot of a quorum-verified header. A proof that
// does not verify is a dispute against its upstream and the read moves to the next one; only when no
// upstream's proof verifies is the read UNVERIFIED.
import { codeMatches, normalizeSlot, provenAccount, provenSlot } from '../../families/evm/account-proof.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import { noteDispute } from '../../routing/disputes.js';
import type { Upstream } from '../../routing/upstream.js';
import type { VerifyDomain } from '../../routing/verify-domains.js';
import type { CallContext } from '../call-pipeline.js';
import { derivedCall, dispatchCall, resultAnswer, toQuantity } from '../stage-calls.js';
import { BLOCK_PARAM, type VerifiedHeader } from './evm-blocks.js';
import { dispute, unverified } from './verdicts.js';

export const PROOF_METHODS: ReadonlySet<string> = new Set([
  'eth_getBalance',
  'eth_getTransactionCount',
  'eth_getCode',
  'eth_getStorageAt',
]);

/** The proven value in the method's answer form, or a thrown reason. */
async function provenValue(
  ctx: CallContext,
  header: VerifiedHeader,
  upstream: ReadonlySet<Upstream>,
  proof: unknown,
): Promise<unknown> {
  const [address, slot] = ctx.call.params as [string, string];
  const account = await provenAccount(header.stateRoot, address, proof);
  switch (ctx.call.method) {
    case 'eth_getBalance':
      return toQuantity(account.balance);
    case 'eth_getTransactionCount':
      return toQuantity(account.nonce);
    case 'eth_getStorageAt':
      return provenSlot(account, slot, proof);
    default: {
      const code = await dispatchCall(
        ctx,
        derivedCall(ctx.call, 'eth_getCode', [address, toQuantity(header.number)]),
        { restrictTo: upstream, hedge: false },
      );
      if (code.kind !== 'result' || !codeMatches(account, code.value))
        throw new Error('code does not match its hash');
      return code.value;
    }
  }
}

export async function proofRead(
  ctx: CallContext,
  header: VerifiedHeader,
  domains: readonly VerifyDomain[],
): Promise<CallAnswer> {
  const params = ctx.call.params as unknown[];
  const address = params[0];
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    return unverified(ctx, 'the address is not a 20-byte hex address', []);
  }
  let keys: string[] = [];
  if (ctx.call.method === 'eth_getStorageAt') {
    try {
      keys = [normalizeSlot(String(params[1]))];
    } catch {
      return unverified(ctx, 'the slot is not a 32-byte quantity', []);
    }
  }
  const tried: { upstream: string; digest: string }[] = [];
  // Every usable upstream at most once, domain by domain: bounded by the chain's size.
  for (const upstream of domains.flatMap((d) => d.members)) {
    const only = new Set([upstream]);
    const call = derivedCall(ctx.call, 'eth_getProof', [address, keys, toQuantity(header.number)]);
    const proof = await dispatchCall(ctx, call, { restrictTo: only, hedge: false });
    if (proof.kind !== 'result') continue;
    try {
      const value = await provenValue(ctx, header, only, proof.value);
      ctx.runtime.dispatcher.observer.verifiedRead?.(ctx.chain.name, upstream.name, 'verified');
      upstream.disputes.agreed();
      return { ...resultAnswer(value, upstream.name), verified: `proof block=${header.hash}` };
    } catch {
      tried.push({ upstream: upstream.name, digest: 'invalid-proof' });
      // The evidence a probe replays: the read itself at the verified block.
      const read = [...params];
      read[BLOCK_PARAM.get(ctx.call.method)!] = toQuantity(header.number);
      dispute(ctx, upstream, derivedCall(ctx.call, ctx.call.method, read));
      noteDispute(ctx.chain.lastDisputes, {
        at: new Date().toISOString(),
        method: ctx.call.method,
        agreed: null,
        answers: [{ upstream: upstream.name, digest: 'invalid-proof' }],
      });
    }
  }
  return unverified(ctx, `no upstream's proof verified against block ${header.hash}`, tried);
}
