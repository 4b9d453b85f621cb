// Transaction submission for every family but EVM (whose eth_sendRawTransaction stage has rules of its
// own: "nonce too low", a lookup by hash): sendTransaction, sendrawtransaction, broadcast_tx_* go to
// upstreams in several failure domains at once, never hedged nor blindly resent; the node's "already
// have it" (already processed, txn-already-in-mempool, tx already exists in cache) is a success,
// answered with the transaction id computed here.
import type { CallStage } from './call-pipeline.js';
import { errorFields } from './stage-calls.js';
import { broadcast, outcomeVerdict } from './tx-broadcast.js';

export const familySubmissionStage: CallStage = (ctx, next) => {
  const { family } = ctx.chain;
  const { method, params } = ctx.call;
  if (family.name === 'evm' || !family.submission.methods.has(method)) return next();
  const { submission } = family;
  const id = submission.transactionId(method, params);
  return broadcast(ctx, ctx.call, id, {
    verdictOf: (answer) => {
      if (answer.kind === 'result') return 'accepted';
      const { code, text, data } = errorFields(answer);
      if (submission.isDuplicate(method, { code, message: text, data })) return 'accepted';
      return outcomeVerdict(answer);
    },
    duplicateResult: (txId) => (submission.duplicateResult ? submission.duplicateResult(txId) : txId),
  });
};
familySubmissionStage.appliesTo = (family) => family !== 'evm';
