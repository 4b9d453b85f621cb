// The operational wiring used by the CLI (and by tests that want the real thing): metrics and their
// observer, the call stages, the extra routes (CORS, /metrics, /dashboard, /admin), the API-key gate
// and the operators' cordons.

import { adminRoute } from '../../routes/admin-cordons.js';
import { ApiKeyGuard, apiKeyGate } from '../../routes/api-keys.js';
import { corsRoute } from '../../routes/cors.js';
import { dashboardRoute } from '../../routes/dashboard.js';
import type { RouteHook } from '../../routes/hooks.js';
import { metricsRoute } from '../../routes/metrics.js';
import { CordonBook } from '../cordons/cordon-book.js';
import type { ServerOptions } from '../server/server.js';
import type { CallStage } from '../stages/call-pipeline.js';
import { chainStages } from '../stages/evm/chain-stages.js';
import { denyListStage } from '../stages/method-deny-list.js';
import { familySubmissionStage } from '../stages/submission-stage.js';
import { verifyStage } from '../stages/verify/verify-stage.js';
import { createMetrics, type Metrics, type MetricsSource } from '../status/metrics.js';
import { subscriptionStage } from '../subscriptions/subscription-stage.js';

export function operationalStages(): CallStage[] {
  // Verified reads before the chain stages: they dispatch by themselves, pinned to one block.
  return [denyListStage, subscriptionStage, familySubmissionStage, verifyStage, ...chainStages()];
}

/** CORS first: it must add its headers to every answer, and it answers preflight OPTIONS itself. */
function operationalRoutes(metrics: Metrics, cordons = new CordonBook()): RouteHook[] {
  return [corsRoute, metricsRoute(metrics), dashboardRoute, adminRoute(cordons)];
}

/** Server options (for `new SwitchyardServer(config, logger, options)`) that wiring steps wrap in turn. */
export interface Wiring {
  options: ServerOptions;
}

export interface Operations extends Wiring {
  metrics: Metrics;
  /** The cordons the admin API writes and selection reads (fleet mode shares them). */
  cordons: CordonBook;
  /** Call once the server (or the library's view) exists: points the scrape-time gauges at it. */
  attach(source: MetricsSource): void;
}

export function createOperations(): Operations {
  const metrics = createMetrics();
  const apiKeys = new ApiKeyGuard();
  const cordons = new CordonBook();
  return {
    metrics,
    cordons,
    options: {
      observer: metrics.observer,
      stages: operationalStages(),
      routes: operationalRoutes(metrics, cordons),
      gate: apiKeyGate(apiKeys),
      apiKeys,
      cordons,
    },
    attach(source) {
      metrics.attach(source);
    },
  };
}
