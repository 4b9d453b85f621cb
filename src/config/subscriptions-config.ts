// `subscriptions:` WebSocket clients and their bounds, and how the chain feeds follow heads.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';

export function readSubscriptions(node: Node): Config['subscriptions'] {
  return readSection<Config['subscriptions']>(node, {
    maxConnections: field('maxConnections', (n) => n.number(10_000, 1, 1_000_000)),
    maxPerConnection: field('maxPerConnection', (n) => n.number(100, 1, 100_000)),
    sendBufferBytes: field('sendBufferBytes', (n) => n.size(4 * 1024 * 1024)),
    pingIntervalMs: field('pingInterval', (n) => n.duration(30_000, 100)),
    pollIntervalMs: field('pollInterval', (n) => n.duration(1000, 20)),
    reorgDepth: field('reorgDepth', (n) => n.number(64, 1, 10_000)),
    maxBackfill: field('maxBackfill', (n) => n.number(1000, 1, 1_000_000)),
    silentAfterMs: field('silentAfter', (n) => n.duration(3000, 50)),
    solanaLogsBackfill: field('solanaLogsBackfill', (n) => n.number(150, 0, 100_000)),
  });
}
