// Verified reads: the chain's `verify:` policy, or a request's `x-switchyard-verify`, turns a read into
// a quorum across independent domains (every family) or an eth_getProof checked against a verified
// header (EVM account and storage reads). Off unless configured or asked for: then the stage makes one
// check and passes the call on, and the verifying modules (with @ethereumjs) are never loaded; the
// first verified call loads them (verified-call.ts).
import { defaultVerify } from '../../config/verify-config.js';
import type { CallStage } from '../call-pipeline.js';

let verifying: Promise<typeof import('./verified-call.js')> | undefined;

export const verifyStage: CallStage = (ctx, next) => {
  const mode = ctx.verify;
  // Without the header, the chain's policy decides; with it, only `off` passes the call on.
  if (mode === undefined ? ctx.chain.config.verify === undefined : mode === 'off') return next();
  const policy = ctx.chain.config.verify ?? defaultVerify(ctx.chain.config.family);
  if (!policy.methods.includes(ctx.call.method)) return next();
  const proofs = mode === 'proof' || (mode !== 'quorum' && policy.proofs);
  verifying ??= import('./verified-call.js');
  return verifying.then((m) => m.verifiedCall(ctx, policy, proofs));
};
