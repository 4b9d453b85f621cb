// CometBFT's `subscribe` / `unsubscribe` / `unsubscribe_all` as a call stage: over a WebSocket they go
// to the connection's CometBFT session (the chain's merged feed, never an upstream); over HTTP they are
// refused, as a node refuses them there, instead of opening a subscription nobody reads.
import { isRecord } from '../../families/params.js';
import type { CallAnswer } from '../../routing/call-answer.js';
import type { CallStage } from '../../stages/call-pipeline.js';
import { cometError } from './comet-errors.js';
import type { CometSession, SessionOutcome } from './comet-session.js';

const METHODS = new Set(['subscribe', 'unsubscribe', 'unsubscribe_all']);

function error(raw: string): Promise<CallAnswer> {
  return Promise.resolve({ kind: 'error', raw, upstream: undefined });
}

function answer(outcome: SessionOutcome): Promise<CallAnswer> {
  if ('error' in outcome) return error(outcome.error);
  return Promise.resolve({ kind: 'result', raw: '{}', value: {}, upstream: 'switchyard' });
}

/** `{"query": "…"}` (CometBFT's named params) or `["…"]`. */
function queryParam(params: unknown): string | undefined {
  const value = Array.isArray(params) ? params[0] : isRecord(params) ? params.query : undefined;
  return typeof value === 'string' ? value : undefined;
}

export const cometSubscriptionStage: CallStage = (ctx, next) => {
  const { method, params, id } = ctx.call;
  if (ctx.chain.family.name !== 'cometbft' || !METHODS.has(method)) return next();
  const session = ctx.session?.familySession?.('cometbft') as CometSession | undefined;
  if (!session)
    return error(
      cometError('NOTIFICATIONS_UNSUPPORTED', 'CometBFT subscriptions need ws://host/<chain>/websocket'),
    );
  if (method === 'unsubscribe_all') return answer(session.unsubscribeAll());
  const query = queryParam(params);
  if (query === undefined)
    return error(cometError('INVALID_PARAMS', 'expected {"query": "tm.event=\'NewBlock\'"}'));
  if (method === 'unsubscribe') return answer(session.unsubscribe(query));
  // Notifications carry the subscribe request's id: a request without one could never be told apart.
  if (id === undefined) return error(cometError('INVALID_REQUEST', 'subscribe needs an id'));
  return answer(session.subscribe(id, query));
};
cometSubscriptionStage.appliesTo = (family, method) => family === 'cometbft' && METHODS.has(method);
