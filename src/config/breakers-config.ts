// `breakers:` the per-upstream breaker and the failure-domain breaker.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';

type BreakersConfig = Config['breakers'];

export function readBreakers(node: Node): BreakersConfig {
  return readSection<BreakersConfig>(node, {
    upstream: field('upstream', (n) =>
      readSection<BreakersConfig['upstream']>(n, {
        errorThresholdPercentage: field('errorThresholdPercentage', (e) => e.number(50, 1, 100)),
        volumeThreshold: field('volumeThreshold', (e) => e.number(4, 1, 10_000)),
        windowMs: field('window', (e) => e.duration(2000, 100)),
        resetTimeoutMs: field('resetTimeout', (e) => e.duration(500, 10)),
        stallAfterMs: field('stallAfter', (e) => e.duration(0)),
      }),
    ),
    domain: field('domain', readDomainBreaker),
  });
}

function readDomainBreaker(node: Node): BreakersConfig['domain'] {
  const domain = readSection<BreakersConfig['domain']>(node, {
    minFailingUpstreams: field('minFailingUpstreams', (e) => e.number(2, 1, 100)),
    windowMs: field('window', (e) => e.duration(1000, 10)),
    backoffMs: field('backoff', (e) => e.duration(300, 10)),
    maxBackoffMs: field('maxBackoff', (e) => e.duration(800, 10)),
  });
  if (domain.maxBackoffMs < domain.backoffMs)
    node.child('maxBackoff').fail('expected at least breakers.domain.backoff');
  return domain;
}
