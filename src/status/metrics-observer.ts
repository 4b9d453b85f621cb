// The Observer the core reports events to, counting each on its series. The per-request events
// (attempt, request) take the tallied path with memoized keys (series-keys.ts): no per-event strings.
import type { Observer } from '../routing/observer.js';
import type { EventSeries } from './event-series.js';
import type { CurrentSource } from './metrics-source.js';
import type { SeriesKeys } from './series-keys.js';
import type { shareCapMetrics } from './share-cap-metrics.js';

export function metricsObserver(
  series: EventSeries,
  keys: SeriesKeys,
  shareCaps: ReturnType<typeof shareCapMetrics>,
  current: CurrentSource,
): Observer {
  const { requests, requestSeconds, attempts, attemptSeconds, trafficAttempts } = series;
  return {
    attempt(chain, upstream, _method, outcome, latencyMs, kind) {
      const upstreamKeys = keys.attempt(chain, upstream);
      const attemptKey = keys.attemptCount(upstreamKeys, outcome, kind);
      if (!attempts.count(attemptKey)) attempts.start(attemptKey, { chain, upstream, outcome, kind });
      const seconds = latencyMs / 1000;
      if (!attemptSeconds.record(upstreamKeys.upstream, seconds))
        attemptSeconds.start(upstreamKeys.upstream, { chain, upstream }, seconds);
      const traffic = keys.traffic(upstreamKeys, current()?.runtime);
      if (traffic && !trafficAttempts.count(traffic.key))
        trafficAttempts.start(traffic.key, { chain, ...traffic.labels });
    },
    request(chain, method, result, latencyMs) {
      const methodKeys = keys.request(chain, method);
      const resultKey = result === 'ok' ? methodKeys.ok : methodKeys.error;
      if (!requests.count(resultKey)) requests.start(resultKey, { chain, method, result });
      const seconds = latencyMs / 1000;
      if (!requestSeconds.record(methodKeys.method, seconds))
        requestSeconds.start(methodKeys.method, { chain, method }, seconds);
    },
    hedge(chain, won) {
      series.hedges.inc({ chain, result: won ? 'won' : 'lost' });
    },
    retry(chain) {
      series.retries.inc({ chain });
    },
    panic(chain) {
      series.panics.inc({ chain });
    },
    stall(chain, upstream) {
      series.stalls.inc({ chain, upstream });
    },
    breakerTransition(kind, chain, key, _from, to) {
      series.transitions.inc({ kind, chain, key, to });
    },
    healthCheck(chain, upstream, probe, ok) {
      series.checks.inc({ chain, upstream, probe, result: ok ? 'ok' : 'fail' });
    },
    detection(chain, upstream, state) {
      series.detections.inc({ chain, upstream, state });
    },
    rejected(reason) {
      series.rejected.inc({ reason });
    },
    apiKeyRequest(name, allowed) {
      series.keyRequests.inc({ api_key: name, result: allowed ? 'allowed' : 'rate_limited' });
    },
    configReload(ok) {
      series.reloads.inc({ result: ok ? 'applied' : 'rejected' });
    },
    shareCapYield(chain, by) {
      shareCaps.yielded(chain, by);
    },
    cacheLookup(chain, hit) {
      series.cacheLookups.inc({ chain, result: hit ? 'hit' : 'miss' });
    },
    notifications(chain, kind, count) {
      if (count > 0) series.notifications.inc({ chain, kind }, count);
    },
    feedEvent(chain, event, count) {
      series.feedEvents.inc({ chain, event }, count);
    },
    verifiedRead(chain, upstream, result) {
      series.verifiedReads.inc({ chain, upstream, result });
    },
    websocketClosed(reason) {
      series.wsClosed.inc({ reason });
    },
  };
}
