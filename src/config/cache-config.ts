// `cache:` the response cache's size bounds.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';

export function readCache(node: Node): Config['cache'] {
  return readSection<Config['cache']>(node, {
    enabled: field('enabled', (n) => n.boolean(true)),
    maxEntries: field('maxEntries', (n) => n.number(10_000, 1)),
    maxBytes: field('maxBytes', (n) => n.size(64 * 1024 * 1024)),
  });
}
