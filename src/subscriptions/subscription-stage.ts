// eth_subscribe / eth_unsubscribe as a call stage, after the deny list: over a WebSocket they go to the
// connection's session (the chain's merged feed, never an upstream); over HTTP they are answered with
// geth's "notifications not supported", instead of opening a subscription upstream that nobody reads.

import type { CallAnswer } from '../routing/call-answer.js';
import { catalogueError } from '../rpc/errors.js';
import { standardCatalogueError } from '../rpc/standard-error.js';
import type { CallStage } from '../stages/call-pipeline.js';
import { isFamilySubscriptionMethod } from './family-methods.js';

function error(raw: string): Promise<CallAnswer> {
  return Promise.resolve({ kind: 'error', raw, upstream: undefined });
}

function result(raw: string): Promise<CallAnswer> {
  return Promise.resolve({ kind: 'result', raw, value: JSON.parse(raw) as unknown, upstream: 'switchyard' });
}

export const subscriptionStage: CallStage = (ctx, next) => {
  const { method, params, id } = ctx.call;
  // Other families' subscription methods go to their own service (family-subscriptions.ts).
  if (isFamilySubscriptionMethod(ctx.chain.family.name, method)) {
    const answer = ctx.session?.familyCall?.(method, params, id);
    if (!answer) return error(standardCatalogueError('NOTIFICATIONS_UNSUPPORTED'));
    return 'result' in answer ? result(answer.result) : error(answer.error);
  }
  if ((method !== 'eth_subscribe' && method !== 'eth_unsubscribe') || ctx.chain.family.name !== 'evm')
    return next();
  const session = ctx.session;
  if (!session) return error(catalogueError('NOTIFICATIONS_UNSUPPORTED'));
  const list = Array.isArray(params) ? params : [];
  if (method === 'eth_unsubscribe') {
    if (typeof list[0] !== 'string')
      return error(catalogueError('INVALID_PARAMS', 'expected [subscription id]'));
    return result(session.unsubscribe(list[0]) ? 'true' : 'false');
  }
  if (typeof list[0] !== 'string') {
    return error(
      catalogueError('INVALID_PARAMS', 'expected ["newHeads" | "logs" | "newPendingTransactions", …]'),
    );
  }
  const outcome = session.subscribe(list[0], list.slice(1));
  if (!('id' in outcome)) return error(outcome.error);
  const raw = JSON.stringify(outcome.id);
  return outcome.started ? outcome.started.then(() => result(raw)) : result(raw);
};
subscriptionStage.appliesTo = (family, method) =>
  (family === 'evm' && (method === 'eth_subscribe' || method === 'eth_unsubscribe')) ||
  isFamilySubscriptionMethod(family, method);
