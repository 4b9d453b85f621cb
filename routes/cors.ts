// CORS for browser wallets and dapps, from `server.corsOrigins`: empty (the default) sends no CORS
// headers, so browsers refuse cross-origin calls; `'*'` allows any origin (no credentials are ever
// allowed); otherwise the request's Origin must be listed exactly. Preflight OPTIONS is answered here
// with 204. Read from the live config, so a reload applies.

import { API_KEY_HEADER } from './api-keys.js';
import type { RouteHook } from './hooks.js';

const ALLOW_METHODS = 'POST, GET, OPTIONS';
const ALLOW_HEADERS = `content-type, ${API_KEY_HEADER}`;
const EXPOSE_HEADERS = 'x-switchyard-upstream, retry-after';
const PREFLIGHT_MAX_AGE_S = '600';

/**
 * Whether `server.corsOrigins` allows a request from `origin`. No Origin header: not a browser, and
 * nothing to check (browsers send one on every cross-origin request and on every WebSocket upgrade).
 */
export function originAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  return origin === undefined || allowed.includes('*') || allowed.includes(origin);
}

export const corsRoute: RouteHook = (req, res, _path, server) => {
  const allowed = server.runtime.config.server.corsOrigins;
  if (allowed.length === 0) return false;
  const any = allowed.includes('*');
  const origin = req.headers.origin;
  const ok = origin !== undefined && originAllowed(allowed, origin);
  if (!any) res.setHeader('vary', 'origin');
  if (ok) {
    res.setHeader('access-control-allow-origin', any ? '*' : origin);
    res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  }
  if (req.method !== 'OPTIONS') return false;
  if (ok) {
    res.setHeader('access-control-allow-methods', ALLOW_METHODS);
    res.setHeader('access-control-allow-headers', ALLOW_HEADERS);
    res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_S);
  }
  res.writeHead(204);
  res.end();
  return true;
};
