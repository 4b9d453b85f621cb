// The operational wiring used by the CLI (and by tests that want the real thing): metrics and their
// observer, the call stages, the extra routes (CORS, /metrics, /dashboard, /admin), the API-key gate
// and the operators' cordons.
import { dashboardRoute } from '../../routes/dashboard.js';
import { metricsRoute } from '../../routes/metrics.js';
import { chainStages } from '../families/evm/chain-stages.js';
import { familySubmissionStage } from '../families/submission-stage.js';
import { adminRoute } from '../fleet/admin-route.js';
import { CordonBook } from '../fleet/cordon-book.js';
import type { CallStage } from '../rpc/call-pipeline.js';
import type { RouteHook, ServerOptions, SwitchyardServer } from '../server.js';
import { subscriptionStage } from '../subscriptions/subscription-stage.js';
import { ApiKeyGuard, apiKeyGate } from './api-keys.js';
import { corsRoute } from './cors.js';
import { denyListStage } from './method-deny-list.js';
import { createMetrics, type Metrics } from './metrics.js';

export function operationalStages(): CallStage[] {
  return [denyListStage, subscriptionStage, familySubmissionStage, ...chainStages()];
}

/** CORS first: it must add its headers to every answer, and it answers preflight OPTIONS itself. */
export function operationalRoutes(metrics: Metrics, cordons = new CordonBook()): RouteHook[] {
  return [corsRoute, metricsRoute(metrics), dashboardRoute, adminRoute(cordons)];
}

export interface Operations {
  metrics: Metrics;
  /** The cordons the admin API writes and selection reads (fleet mode shares them). */
  cordons: CordonBook;
  /** Pass to `new SwitchyardServer(config, logger, options)`. */
  options: ServerOptions;
  /** Call once the server exists: points the scrape-time gauges at it. */
  attach(server: SwitchyardServer): void;
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
    attach(server) {
      metrics.attach(server);
    },
  };
}
