// Optional API keys. With `security.apiKeys` empty every JSON-RPC request is served; otherwise each
// needs a key, in the `x-api-key` header or as a path segment after the chain (`POST /<chain>/<key>`,
// for wallets that cannot set headers). Unknown or missing: HTTP 401 UNAUTHORIZED. Each key has its
// own token bucket (rate-limiter.ts): beyond it, HTTP 429 RATE_LIMITED with Retry-After. A batch
// counts as one request (server.maxBatchSize caps it). Keys are never logged, echoed or labelled:
// metrics carry the key's configured name.
import type { Config } from './config.js';
import { sendCatalogueError } from './http-util.js';
import { RateLimiter } from './rate-limiter.js';
import type { RpcGate } from './server.js';

export const API_KEY_HEADER = 'x-api-key';

type KeyEntry = Config['security']['apiKeys'][number];

const byKeyCache = new WeakMap<readonly KeyEntry[], Map<string, KeyEntry>>();

function keyIndex(keys: readonly KeyEntry[]): Map<string, KeyEntry> {
  let index = byKeyCache.get(keys);
  if (!index) {
    index = new Map(keys.map((k) => [k.key, k]));
    byKeyCache.set(keys, index);
  }
  return index;
}

export function apiKeyGate(limiter = new RateLimiter(), now: () => number = Date.now): RpcGate {
  let lastKeys: readonly KeyEntry[] | undefined;
  return (req, res, path, server) => {
    const runtime = server.runtime;
    const keys = runtime.config.security.apiKeys;
    if (keys.length === 0) return path;
    if (keys !== lastKeys) {
      lastKeys = keys;
      limiter.retain(new Set(keys.map((k) => k.name)));
    }
    const segments = path.split('/').filter((s) => s.length > 0);
    let rpcPath = path;
    let key: string | undefined;
    if (segments.length === 2) {
      // Never echo the path back: its second segment is (meant to be) a key.
      if (!runtime.chains.has(segments[0]!)) {
        sendCatalogueError(res, 'NOT_FOUND');
        return undefined;
      }
      key = decodeSegment(segments[1]!);
      rpcPath = `/${segments[0]}`;
    } else if (segments.length > 2) {
      sendCatalogueError(res, 'NOT_FOUND');
      return undefined;
    }
    if (key === undefined) {
      const header = req.headers[API_KEY_HEADER];
      key = Array.isArray(header) ? header[0] : header;
    }
    const entry = key === undefined ? undefined : keyIndex(keys).get(key);
    if (!entry) {
      server.observer.rejected?.('unauthorized');
      sendCatalogueError(res, 'UNAUTHORIZED');
      return undefined;
    }
    const taken = limiter.take(entry.name, entry.ratePerSecond, entry.burst, now());
    server.observer.apiKeyRequest?.(entry.name, taken.ok);
    if (!taken.ok) {
      server.observer.rejected?.('rate_limited');
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))));
      sendCatalogueError(res, 'RATE_LIMITED');
      return undefined;
    }
    return rpcPath;
  };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
