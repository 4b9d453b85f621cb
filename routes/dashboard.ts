// GET /dashboard: the live status page (routes/dashboard-page.ts). Self-contained: works offline and
// behind a firewall; a strict Content-Security-Policy allows only its own inline script and style
// (by hash) and requests to this origin.
import { createHash } from 'node:crypto';
import type { RouteHook } from '../src/server.js';
import { DASHBOARD_SCRIPT, DASHBOARD_STYLE, dashboardHtml } from './dashboard-page.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const HTML = dashboardHtml();
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-length': String(Buffer.byteLength(HTML)),
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': [
    "default-src 'none'",
    `script-src ${sha256(DASHBOARD_SCRIPT)}`,
    `style-src ${sha256(DASHBOARD_STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};

export const dashboardRoute: RouteHook = (req, res, path) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/dashboard/') {
    res.writeHead(308, { location: '/dashboard' });
    res.end();
    return true;
  }
  if (path !== '/dashboard') return false;
  res.writeHead(200, HEADERS);
  res.end(req.method === 'HEAD' ? undefined : HTML);
  return true;
};
