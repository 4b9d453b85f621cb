// The subscription service of every family that has its own (one entry per family).
import type { Logger } from '../log/logger.js';
import type { Observer } from '../routing/observer.js';
import type { Runtime } from '../runtime/runtime.js';
import { CometSubscriptions } from './cometbft/comet-subscriptions.js';
import type { FamilySubscriptions } from './family-subscriptions.js';
import { SolanaSubscriptions } from './solana/solana-subscriptions.js';

export function familySubscriptionServices(
  runtime: Runtime,
  logger: Logger,
  observer: Observer,
): FamilySubscriptions[] {
  return [
    new SolanaSubscriptions(runtime, logger, observer),
    new CometSubscriptions(runtime, logger, observer),
  ];
}
