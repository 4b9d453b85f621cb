// The admin API: POST /admin/cordon, DELETE /admin/cordon, GET /admin/cordons, behind the
// `x-admin-key` header (security.adminKeys). With no admin key configured the routes do not exist
// (404, as any unknown path), so an instance without operators' keys offers no admin surface at all.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { CordonBook } from '../src/cordons/cordon-book.js';
import { type Cordon, checkCordonRequest, checkUncordonRequest } from '../src/cordons/cordon-request.js';
import type { ChainRuntime } from '../src/routing/chain.js';
import { catalogueError, ERRORS, type ErrorName } from '../src/rpc/errors.js';
import { errorResponse } from '../src/rpc/jsonrpc.js';
import type { RouteHook, ServerView } from './hooks.js';
import { readBody, sendCatalogueError, sendJson } from './http-util.js';

const ADMIN_KEY_HEADER = 'x-admin-key';
const MAX_ADMIN_BODY = 16 * 1024;
const INSTANCE = `${hostname()}/${process.pid}`;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time over the digests: the comparison does not tell how much of a guess was right. */
function knownKey(given: string | undefined, keys: readonly string[]): boolean {
  if (given === undefined) return false;
  const g = digest(given);
  let found = false;
  for (const key of keys) if (timingSafeEqual(g, digest(key))) found = true;
  return found;
}

function sendAdminError(res: ServerResponse, name: ErrorName, field?: string, expected?: string): void {
  const detail = field === undefined ? undefined : `${field}: ${expected}`;
  sendJson(
    res,
    ERRORS[name].httpStatus,
    errorResponse('null', catalogueError(name, detail, field === undefined ? undefined : { field })),
  );
}

function cordonJson(c: Cordon) {
  return {
    target: c.target,
    reason: c.reason,
    note: c.reason ? `cordoned by operator: ${c.reason}` : 'cordoned by operator',
    createdAt: new Date(c.createdAtMs).toISOString(),
    expiresAt: new Date(c.expiresAtMs).toISOString(),
    by: c.by,
  };
}

/** Upstreams the cordon covers, and a warning per chain it would leave with no uncordoned upstream. */
function effectOf(chains: Iterable<ChainRuntime>, book: CordonBook, c: Cordon, nowMs: number) {
  const upstreams: string[] = [];
  const warnings: string[] = [];
  for (const chain of chains) {
    const covered = chain.upstreams.filter(
      (u) => c.target === `upstream:${u.name}` || u.domains.includes(c.target),
    );
    upstreams.push(...covered.map((u) => u.name));
    if (covered.length > 0 && chain.upstreams.every((u) => book.cordonOf(u, nowMs) !== undefined)) {
      warnings.push(
        `chain ${chain.name}: every upstream is cordoned; the panic rule still uses them rather than answer nothing`,
      );
    }
  }
  if (upstreams.length === 0)
    warnings.push('no upstream of this instance is in the target (other instances may have some)');
  return { upstreams, warnings };
}

export function adminRoute(book: CordonBook, now: () => number = Date.now): RouteHook {
  return (req, res, path, server) => {
    if (path !== '/admin' && !path.startsWith('/admin/')) return false;
    const keys = server.runtime.config.security.adminKeys;
    if (keys.length === 0) {
      sendCatalogueError(res, 'NOT_FOUND');
      return true;
    }
    const header = req.headers[ADMIN_KEY_HEADER];
    if (!knownKey(Array.isArray(header) ? header[0] : header, keys)) {
      server.observer.rejected?.('unauthorized');
      sendAdminError(res, 'ADMIN_UNAUTHORIZED');
      return true;
    }
    if (path === '/admin/cordons' && req.method === 'GET') {
      sendJson(res, 200, JSON.stringify({ cordons: book.list(now()).map(cordonJson) }), {
        'cache-control': 'no-store',
      });
      return true;
    }
    if (path === '/admin/cordon' && (req.method === 'POST' || req.method === 'DELETE')) {
      void readBody(req, MAX_ADMIN_BODY).then((body) => {
        if (!body.ok)
          return sendAdminError(res, 'INVALID_CORDON', '(body)', 'a JSON object of at most 16 kB');
        if (req.method === 'POST') postCordon(server, book, body.text, now(), res);
        else deleteCordon(server, book, body.text, now(), res);
      });
      return true;
    }
    sendCatalogueError(
      res,
      req.method === 'GET' || path !== '/admin/cordon' ? 'NOT_FOUND' : 'METHOD_NOT_ALLOWED',
    );
    return true;
  };
}

function postCordon(server: ServerView, book: CordonBook, text: string, nowMs: number, res: ServerResponse) {
  const checked = checkCordonRequest(text, nowMs, INSTANCE);
  if (!checked.ok) return sendAdminError(res, 'INVALID_CORDON', checked.field, checked.expected);
  const cordon = checked.value;
  book.set(cordon);
  const effect = effectOf(server.runtime.chains.values(), book, cordon, nowMs);
  server.logger.warn('cordoned by operator', {
    target: cordon.target,
    reason: cordon.reason,
    until: new Date(cordon.expiresAtMs).toISOString(),
    upstreams: effect.upstreams,
  });
  for (const warning of effect.warnings) server.logger.warn(warning, { target: cordon.target });
  sendJson(res, 200, JSON.stringify({ cordon: cordonJson(cordon), ...effect }));
}

function deleteCordon(
  server: ServerView,
  book: CordonBook,
  text: string,
  nowMs: number,
  res: ServerResponse,
) {
  const checked = checkUncordonRequest(text);
  if (!checked.ok) return sendAdminError(res, 'INVALID_CORDON', checked.field, checked.expected);
  if (!book.remove(checked.value, nowMs))
    return sendAdminError(res, 'CORDON_NOT_FOUND', 'target', checked.value);
  server.logger.warn('cordon lifted by operator', { target: checked.value });
  sendJson(res, 200, JSON.stringify({ removed: checked.value }));
}
