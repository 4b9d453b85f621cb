// The operational wiring used by the CLI: which call stages run and which extra routes exist.
import type { CallStage } from './call-pipeline.js';
import { chainStages } from './chain-stages.js';
import { denyListStage } from './method-deny-list.js';
import type { Metrics } from './metrics.js';
import type { RouteHook } from './server.js';

export function operationalStages(): CallStage[] {
  return [denyListStage, ...chainStages()];
}

export function operationalRoutes(metrics: Metrics): RouteHook[] {
  const metricsRoute: RouteHook = (req, res, path) => {
    if (req.method !== 'GET' || path !== '/metrics') return false;
    void metrics.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    });
    return true;
  };
  return [metricsRoute];
}
