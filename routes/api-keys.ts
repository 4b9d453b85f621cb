// Optional API keys. With `security.apiKeys` empty every JSON-RPC request is served; otherwise each
// needs a key, in the `x-api-key` header or as a path segment after the chain (`POST /<chain>/<key>`,
// for wallets that cannot set headers), or as the basic-auth password (bitcoin-cli: basic-auth.ts).
// Unknown or missing: HTTP 401 UNAUTHORIZED (in a Bitcoin chain's envelope). Each key has its
// own token bucket (rate-limiter.ts): beyond it, HTTP 429 RATE_LIMITED with Retry-After. A batch
// counts as one request (server.maxBatchSize caps it); over a WebSocket, one frame is one request.
// Keys are never logged, echoed or labelled: metrics carry the key's configured name.
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../src/config/config.js';
import type { Observer } from '../src/routing/observer.js';
import type { ErrorName } from '../src/rpc/errors.js';
import type { Runtime } from '../src/runtime/runtime.js';
import { BASIC_CHALLENGE, basicAuthPassword } from './basic-auth.js';
import { envelopeOfPath, sendChainCatalogueError } from './chain-errors.js';
import type { RpcGate } from './hooks.js';
import { RateLimiter, type Take } from './rate-limiter.js';

export const API_KEY_HEADER = 'x-api-key';

export type KeyEntry = Config['security']['apiKeys'][number];

export type KeyCheck =
  /** `key`: the key entry when keys are configured (its name is what metrics and rate limits use). */
  | { ok: true; rpcPath: string; key: KeyEntry | undefined }
  | {
      ok: false;
      error: Extract<ErrorName, 'NOT_FOUND' | 'UNAUTHORIZED'>;
      /** The refused key came as a basic-auth password (answered with a Basic challenge). */
      basicAuth?: true;
    };

const byKeyCache = new WeakMap<readonly KeyEntry[], Map<string, KeyEntry>>();

function keyIndex(keys: readonly KeyEntry[]): Map<string, KeyEntry> {
  let index = byKeyCache.get(keys);
  if (!index) {
    index = new Map(keys.map((k) => [k.key, k]));
    byKeyCache.set(keys, index);
  }
  return index;
}

/** Identifies the key of a request (HTTP or a WebSocket upgrade) and takes from its rate limit. */
export class ApiKeyGuard {
  private lastKeys: readonly KeyEntry[] | undefined;

  constructor(
    private readonly limiter = new RateLimiter(),
    private readonly now: () => number = Date.now,
  ) {}

  check(runtime: Runtime, headers: IncomingHttpHeaders, path: string, observer: Observer): KeyCheck {
    const keys = runtime.config.security.apiKeys;
    if (keys.length === 0) return { ok: true, rpcPath: path, key: undefined };
    if (keys !== this.lastKeys) {
      this.lastKeys = keys;
      this.limiter.retain(new Set(keys.map((k) => k.name)));
    }
    const segments = path.split('/').filter((s) => s.length > 0);
    let rpcPath = path;
    let key: string | undefined;
    if (segments.length === 2) {
      // Never echo the path back: its second segment is (meant to be) a key.
      if (!runtime.chains.has(segments[0]!)) return { ok: false, error: 'NOT_FOUND' };
      key = decodeSegment(segments[1]!);
      rpcPath = `/${segments[0]}`;
    } else if (segments.length > 2) {
      return { ok: false, error: 'NOT_FOUND' };
    }
    if (key === undefined) {
      const header = headers[API_KEY_HEADER];
      key = Array.isArray(header) ? header[0] : header;
    }
    let basicAuth = false;
    if (key === undefined) {
      key = basicAuthPassword(headers.authorization);
      basicAuth = key !== undefined;
    }
    const entry = key === undefined ? undefined : keyIndex(keys).get(key);
    if (!entry) {
      observer.rejected?.('unauthorized');
      return basicAuth
        ? { ok: false, error: 'UNAUTHORIZED', basicAuth }
        : { ok: false, error: 'UNAUTHORIZED' };
    }
    return { ok: true, rpcPath, key: entry };
  }

  /** One request of `key` (none configured: always allowed). */
  take(key: KeyEntry | undefined, observer: Observer): Take {
    if (!key) return { ok: true };
    const taken = this.limiter.take(key.name, key.ratePerSecond, key.burst, this.now());
    observer.apiKeyRequest?.(key.name, taken.ok);
    if (!taken.ok) observer.rejected?.('rate_limited');
    return taken;
  }
}

export function apiKeyGate(guard = new ApiKeyGuard()): RpcGate {
  return (req, res, path, server) => {
    const checked = guard.check(server.runtime, req.headers, path, server.observer);
    if (!checked.ok) {
      if (checked.basicAuth) res.setHeader('www-authenticate', BASIC_CHALLENGE);
      const detail = checked.basicAuth ? 'the basic-auth password is not an API key' : undefined;
      sendChainCatalogueError(res, envelopeOfPath(server.runtime, path), checked.error, detail);
      return undefined;
    }
    const taken = guard.take(checked.key, server.observer);
    if (!taken.ok) {
      res.setHeader('retry-after', retryAfterSeconds(taken.retryAfterMs));
      sendChainCatalogueError(res, envelopeOfPath(server.runtime, path), 'RATE_LIMITED');
      return undefined;
    }
    return checked.rpcPath;
  };
}

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
