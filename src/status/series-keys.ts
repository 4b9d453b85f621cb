// The tallied series keys of the per-request events, joined once per (chain, upstream) and (chain,
// method): per event the hot path only looks up strings it already holds (config names, fixed labels),
// so it builds no key strings.
import type { Runtime } from '../runtime/runtime.js';
import { KEY_SEPARATOR as SEP } from './metric-tally.js';

interface UpstreamLabels {
  cloud: string;
  region: string;
  provider: string;
}

/** The tallied series keys of one (chain, upstream). */
interface AttemptKeys {
  /** chain SEP upstream: the attempt-duration series. */
  upstream: string;
  /** Attempt-count series keys by outcome, then kind. */
  byOutcome: Map<string, Map<string, string>>;
  /** The runtime `traffic` was looked up in. */
  runtime: Runtime | undefined;
  traffic: { key: string; labels: UpstreamLabels } | undefined;
}

/** The tallied series keys of one (chain, method). */
interface RequestKeys {
  method: string;
  ok: string;
  error: string;
}

/**
 * `outer[a][b]`, made by `make(a, b, prefix)` the first time. The makers are module functions, not
 * closures: a closure per lookup would allocate what the memo saves.
 */
function memoized<V>(
  outer: Map<string, Map<string, V>>,
  a: string,
  b: string,
  prefix: string,
  make: (a: string, b: string, prefix: string) => V,
): V {
  let inner = outer.get(a);
  if (!inner) {
    inner = new Map();
    outer.set(a, inner);
  }
  let value = inner.get(b);
  if (value === undefined) {
    value = make(a, b, prefix);
    inner.set(b, value);
  }
  return value;
}

function makeAttemptKeys(chain: string, upstream: string): AttemptKeys {
  return {
    upstream: `${chain}${SEP}${upstream}`,
    byOutcome: new Map(),
    runtime: undefined,
    traffic: undefined,
  };
}

function joinKey(outcome: string, kind: string, prefix: string): string {
  return `${prefix}${SEP}${outcome}${SEP}${kind}`;
}

function makeRequestKeys(chain: string, method: string): RequestKeys {
  const methodKey = `${chain}${SEP}${method}`;
  return { method: methodKey, ok: `${methodKey}${SEP}ok`, error: `${methodKey}${SEP}error` };
}

export class SeriesKeys {
  private readonly attemptKeys = new Map<string, Map<string, AttemptKeys>>();
  private readonly requestKeys = new Map<string, Map<string, RequestKeys>>();
  // Failure-domain labels of an upstream, for the traffic counters; rebuilt when the runtime changes.
  private labelsFor: { runtime: Runtime; map: Map<string, UpstreamLabels> } | undefined;

  attempt(chain: string, upstream: string): AttemptKeys {
    return memoized(this.attemptKeys, chain, upstream, '', makeAttemptKeys);
  }

  /** The attempt-count series key of one outcome and kind of an upstream's attempts. */
  attemptCount(keys: AttemptKeys, outcome: string, kind: string): string {
    return memoized(keys.byOutcome, outcome, kind, keys.upstream, joinKey);
  }

  request(chain: string, method: string): RequestKeys {
    return memoized(this.requestKeys, chain, method, '', makeRequestKeys);
  }

  /** The traffic series of an upstream's attempts under `runtime` (undefined: none attached, or unknown there). */
  traffic(keys: AttemptKeys, runtime: Runtime | undefined): AttemptKeys['traffic'] {
    // The failure-domain labels come from the config in use: looked up again after a reload.
    if (keys.runtime !== runtime) {
      keys.runtime = runtime;
      const labels = runtime && this.upstreamLabels(runtime, keys.upstream);
      keys.traffic = labels && {
        key: `${keys.upstream}${SEP}${labels.cloud}${SEP}${labels.region}${SEP}${labels.provider}`,
        labels,
      };
    }
    return keys.traffic;
  }

  /** `key`: chain and upstream name joined by SEP, as the tallied series key them. */
  private upstreamLabels(runtime: Runtime, key: string): UpstreamLabels | undefined {
    if (this.labelsFor?.runtime !== runtime) {
      const map = new Map<string, UpstreamLabels>();
      for (const c of runtime.chains.values()) {
        for (const u of c.upstreams) {
          map.set(`${c.name}${SEP}${u.name}`, {
            cloud: u.config.cloud,
            region: u.config.region,
            provider: u.config.provider,
          });
        }
      }
      this.labelsFor = { runtime, map };
    }
    return this.labelsFor.map.get(key);
  }
}
