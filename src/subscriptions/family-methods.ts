// Which methods are a family's own subscription methods, known without a connection: over HTTP they
// are answered "notifications not supported" rather than sent upstream.
import type { FamilyName } from '../config/family-names.js';
import { COMET_SUBSCRIPTION_METHODS } from './cometbft/comet-subscriptions.js';
import { SUBSCRIBE_METHODS, UNSUBSCRIBE_METHODS } from './solana/solana-requests.js';

const METHODS: Partial<Record<FamilyName, ReadonlySet<string>>> = {
  solana: new Set([...Object.keys(SUBSCRIBE_METHODS), ...Object.keys(UNSUBSCRIBE_METHODS)]),
  cometbft: COMET_SUBSCRIPTION_METHODS,
};

export function isFamilySubscriptionMethod(family: string, method: string): boolean {
  return METHODS[family as FamilyName]?.has(method) === true;
}
