// `routing:` attempts and their deadlines, hedging, the retry budget, selection and admission.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';
import { readMaxShare } from './max-share-config.js';

type RoutingConfig = Config['routing'];

const readTryTimeout = (node: Node): number => node.duration(3000, 10);

export function readRouting(node: Node): RoutingConfig {
  return readSection<RoutingConfig>(node, {
    maxAttempts: field('maxAttempts', (n) => n.number(4, 1, 20)),
    tryTimeoutMs: field('tryTimeout', readTryTimeout),
    connectTimeoutMs: field('connectTimeout', (n) => n.duration(1000, 10)),
    hedge: field('hedge', (n) =>
      readSection<RoutingConfig['hedge']>(n, {
        enabled: field('enabled', (e) => e.boolean(true)),
        minDelayMs: field('minDelay', (e) => e.duration(15, 1)),
        maxDelayMs: field('maxDelay', (e) => e.duration(250, 1)),
        quantile: field('quantile', (e) => e.number(0.95, 0.5, 0.999, false)),
      }),
    ),
    retryBudget: field('retryBudget', (n) =>
      readSection<RoutingConfig['retryBudget']>(n, {
        ratio: field('ratio', (e) => e.number(0.2, 0, 10, false)),
        minPerSecond: field('minPerSecond', (e) => e.number(20, 0, 1_000_000)),
      }),
    ),
    sendTransactionDomains: field('sendTransactionDomains', (n) => n.number(2, 1, 10)),
    slowStartMs: field('slowStart', (n) => n.duration(1000)),
    inFlightScale: field('inFlightScale', (n) => n.number(16, 1, 4096)),
    maxShare: field('maxShare', readMaxShare),
    maxInFlight: field('maxInFlight', (n) => n.number(10_000, 1, 1_000_000)),
    upstreamQueue: field('upstreamQueue', (n) => n.number(64, 0, 100_000)),
    // An attempt that would wait longer than ⅔ of its own deadline can hardly be answered in time.
    maxQueueWaitMs: field('maxQueueWait', (n, routing) =>
      n.duration(Math.round((readTryTimeout(routing.child('tryTimeout')) * 2) / 3)),
    ),
    autoTune: field('autoTune', (n) => n.boolean(true)),
    shadowRate: field('shadowRate', (n) => n.number(0.1, 0, 1, false)),
  });
}
