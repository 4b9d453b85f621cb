// GET /dashboard: the live status page (routes/dashboard-page.ts). Self-contained: works offline and
// behind a firewall; a strict Content-Security-Policy allows only its own inline scripts and styles
// (by hash) and requests to this origin.
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT, DASHBOARD_STYLE, dashboardHtml, type PageExtra } from './dashboard-page.js';
import type { RouteHook } from './hooks.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page route, with an extra block when given (`switchyard demo` adds its fault controls). */
export function dashboardRouteWith(extra?: PageExtra): RouteHook {
  const html = dashboardHtml(extra);
  const scripts = [DASHBOARD_SCRIPT, ...(extra ? [extra.script] : [])];
  const styles = [DASHBOARD_STYLE, ...(extra ? [extra.style] : [])];
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${scripts.map(sha256).join(' ')}`,
      `style-src ${styles.map(sha256).join(' ')}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
  return (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/dashboard/') {
      res.writeHead(308, { location: '/dashboard' });
      res.end();
      return true;
    }
    if (path !== '/dashboard') return false;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : html);
    return true;
  };
}

export const dashboardRoute: RouteHook = dashboardRouteWith();
