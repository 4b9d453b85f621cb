// The live status page served at GET /dashboard: one self-contained HTML document (inline CSS and JS,
// no CDN, no external fonts); its script is routes/dashboard/page-script.ts. The style is a plain string
// (no template literal inside) so the page is byte-for-byte what the browser gets, as its CSP hash says.
import { inlineScript } from './dashboard/inline-script.js';
import { dashboardPageScript } from './dashboard/page-script.js';

export const DASHBOARD_STYLE = `
:root { --ok: #15803d; --ok-bg: #dcfce7; --warn: #a16207; --warn-bg: #fef3c7; --bad: #b91c1c;
  --bad-bg: #fee2e2; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --bg: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; gap: 16px; align-items: baseline; padding: 12px 20px; background: #111827; color: #f9fafb; }
header h1 { font-size: 18px; margin: 0; }
header #meta { color: #d1d5db; font-size: 13px; }
header #conn { margin-left: auto; }
main { padding: 12px 20px 40px; }
.muted { color: var(--muted); }
.alert { padding: 10px 14px; border-radius: 6px; margin: 10px 20px 0; font-weight: 600; }
.alert.bad { background: var(--bad); color: #fff; }
.alert.warn { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); }
.alert.ok { background: transparent; color: var(--muted); border: 1px solid var(--muted); font-weight: 400; }
.pill { padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.pill.ok { background: var(--ok-bg); color: var(--ok); }
.pill.bad { background: var(--bad); color: #fff; }
.pill.wait { background: #374151; color: #e5e7eb; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-size: 12px; font-weight: 600; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad); color: #fff; }
section.chain { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
  margin-top: 14px; }
.chain-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.chain-head h2 { margin: 0; font-size: 18px; }
.feed { margin-top: 8px; font-size: 13px; }
.domains { display: flex; gap: 24px; flex-wrap: wrap; margin-top: 10px; }
.domain-group h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  margin: 4px 0 6px; }
.tiles { display: flex; gap: 8px; flex-wrap: wrap; }
.domain { min-width: 150px; padding: 8px 10px; border-radius: 6px; border: 2px solid var(--ok);
  background: var(--ok-bg); }
.domain.warn { border-color: var(--warn); background: var(--warn-bg); }
.domain.bad { border-color: var(--bad); background: var(--bad); color: #fff; }
.domain-name { font-weight: 700; }
.domain-state { font-size: 13px; font-weight: 700; text-transform: none; }
.domain.bad .domain-state { font-size: 15px; letter-spacing: .04em; }
.domain-meta { font-size: 12px; opacity: .85; }
.shares { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; margin-top: 12px; }
.share-title { font-size: 12px; color: var(--muted); margin-bottom: 4px; }
.bar { position: relative; display: flex; height: 14px; border-radius: 4px; overflow: hidden; background: var(--line); }
.cap-line { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #111827; }
.cap-text { font-size: 12px; color: var(--muted); margin-top: 2px; }
.seg { display: block; height: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin-top: 4px; font-size: 12px; }
.legend-item { display: inline-flex; align-items: center; gap: 4px; }
.swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
table.upstreams { width: 100%; border-collapse: collapse; margin-top: 14px; font-size: 13px; }
table.upstreams th, table.upstreams td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
table.upstreams thead th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr.region-row th { background: #f9fafb; padding-top: 10px; font-size: 13px; }
tr.region-row.bad th { background: var(--bad-bg); }
tr.region-row.warn th { background: var(--warn-bg); }
.region-name { font-weight: 700; margin-right: 8px; }
tr.upstream.bad td.name { color: var(--bad); font-weight: 700; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err { color: var(--muted); max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;

export const DASHBOARD_SCRIPT = inlineScript(dashboardPageScript);

/** A block added to the page (the demo's fault controls): its markup, script and style. */
export interface PageExtra {
  html: string;
  script: string;
  style: string;
}

export function dashboardHtml(extra?: PageExtra): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    '<title>Switchyard status</title>',
    `<style>${DASHBOARD_STYLE}</style>`,
    ...(extra ? [`<style>${extra.style}</style>`] : []),
    '</head><body>',
    '<header><h1>Switchyard</h1><span id="meta"></span><span id="conn" class="pill wait">connecting…</span></header>',
    '<div id="banner"></div>',
    ...(extra ? [extra.html] : []),
    '<main id="chains"><p class="muted">Loading status…</p>',
    '<noscript><p>This page needs JavaScript; the same data is at <a href="status">/status</a>.</p></noscript>',
    '</main>',
    `<script>${DASHBOARD_SCRIPT}</script>`,
    ...(extra ? [`<script>${extra.script}</script>`] : []),
    '</body></html>',
  ].join('\n');
}
