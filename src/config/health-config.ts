// `health:` how often upstreams are checked (healthy, busy, down, watched, suspect), the probes'
// deadlines, and when an upstream counts as up, down or lagging.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';

export function readHealth(node: Node): Config['health'] {
  return readSection<Config['health']>(node, {
    intervalMs: field('interval', (n) => n.duration(2000, 50)),
    busyIntervalMs: field('busyInterval', (n) => n.duration(5000, 50)),
    downIntervalMs: field('downInterval', (n) => n.duration(250, 50)),
    watchIntervalMs: field('watchInterval', (n) => n.duration(500, 50)),
    suspectIntervalMs: field('suspectInterval', (n) => n.duration(100, 10)),
    minProbeTimeoutMs: field('minProbeTimeout', (n) => n.duration(30, 5)),
    timeoutMs: field('timeout', (n) => n.duration(1500, 10)),
    rise: field('rise', (n) => n.number(2, 1, 100)),
    fall: field('fall', (n) => n.number(2, 1, 100)),
    maxBlockLag: field('maxBlockLag', (n) => n.number(5, 0, 1_000_000)),
    checkSyncing: field('checkSyncing', (n) => n.boolean(false)),
  });
}
