// Admin and node-local namespaces (admin_, debug_, personal_, ...) are refused by default on an
// endpoint that wallets reach. Patterns are exact names or a prefix ending in `*`.

import { catalogueError } from '../rpc/errors.js';
import type { CallStage } from './call-pipeline.js';

function isDenied(method: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (p.endsWith('*') ? startsWithPrefix(method, p, p.length - 1) : method === p) return true;
  }
  return false;
}

/** `method` starts with the first `n` characters of `pattern`: no slice per call and pattern. */
function startsWithPrefix(method: string, pattern: string, n: number): boolean {
  if (method.length < n) return false;
  for (let i = 0; i < n; i++) if (method.charCodeAt(i) !== pattern.charCodeAt(i)) return false;
  return true;
}

export const denyListStage: CallStage = (ctx, next) => {
  if (isDenied(ctx.call.method, ctx.runtime.config.security.denyMethods)) {
    ctx.runtime.observer.rejected?.('method_denied');
    return Promise.resolve({
      kind: 'error',
      raw: catalogueError('METHOD_DENIED', ctx.call.method.slice(0, 64)),
      upstream: undefined,
    });
  }
  return next();
};
