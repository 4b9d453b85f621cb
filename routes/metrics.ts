// GET /metrics: Prometheus text exposition of the registry; live gauges are read from the server at
// scrape time (see src/status/metrics.ts; the metric list is in README.md).
import type { Metrics } from '../src/status/metrics.js';
import type { RouteHook } from './hooks.js';

export function metricsRoute(metrics: Metrics): RouteHook {
  return (req, res, path, server) => {
    if (req.method !== 'GET' || path !== '/metrics') return false;
    metrics.attach(server);
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, {
          'content-type': metrics.registry.contentType,
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        res.end(text);
      },
      (err: unknown) => {
        server.logger.error('metrics collection failed', { error: String(err) });
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics collection failed\n');
      },
    );
    return true;
  };
}
