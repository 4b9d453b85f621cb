// Admin and node-local namespaces (admin_, debug_, personal_, ...) are refused by default on an
// endpoint that wallets reach. Patterns are exact names or a prefix ending in `*`.
import type { CallStage } from '../rpc/call-pipeline.js';
import { catalogueError } from '../rpc/errors.js';

export function isDenied(method: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (p.endsWith('*') ? method.startsWith(p.slice(0, -1)) : method === p) return true;
  }
  return false;
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
