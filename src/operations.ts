// The operational wiring used by the CLI (and by tests that want the real thing): metrics and their
// observer, the call stages, the extra routes (CORS, /metrics, /dashboard) and the API-key gate.
import { dashboardRoute } from '../routes/dashboard.js';
import { metricsRoute } from '../routes/metrics.js';
import { ApiKeyGuard, apiKeyGate } from './api-keys.js';
import type { CallStage } from './call-pipeline.js';
import { chainStages } from './chain-stages.js';
import { corsRoute } from './cors.js';
import { denyListStage } from './method-deny-list.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { RouteHook, ServerOptions, SwitchyardServer } from './server.js';
import { subscriptionStage } from './subscriptions/subscription-stage.js';

export function operationalStages(): CallStage[] {
  return [denyListStage, subscriptionStage, ...chainStages()];
}

/** CORS first: it must add its headers to every answer, and it answers preflight OPTIONS itself. */
export function operationalRoutes(metrics: Metrics): RouteHook[] {
  return [corsRoute, metricsRoute(metrics), dashboardRoute];
}

export interface Operations {
  metrics: Metrics;
  /** Pass to `new SwitchyardServer(config, logger, options)`. */
  options: ServerOptions;
  /** Call once the server exists: points the scrape-time gauges at it. */
  attach(server: SwitchyardServer): void;
}

export function createOperations(): Operations {
  const metrics = createMetrics();
  const apiKeys = new ApiKeyGuard();
  return {
    metrics,
    options: {
      observer: metrics.observer,
      stages: operationalStages(),
      routes: operationalRoutes(metrics),
      gate: apiKeyGate(apiKeys),
      apiKeys,
    },
    attach(server) {
      metrics.attach(server);
    },
  };
}
