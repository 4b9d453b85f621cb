// The live status page served at GET /dashboard: one self-contained HTML document (inline CSS and JS,
// no CDN, no external fonts) that polls ./status every second and redraws. Every value from /status is
// written with textContent, never as HTML. Kept as plain strings (no template literals inside the
// script) so the page is byte-for-byte what the browser gets and its CSP hashes are stable.

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

export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var POLL_MS = 1000;
  var root = document.getElementById('chains');
  var banner = document.getElementById('banner');
  var meta = document.getElementById('meta');
  var conn = document.getElementById('conn');
  var lastOkAt = 0;
  // No red: red means an outage on this page.
  var PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#4b5563',
    '#0d9488', '#9333ea'];
  var KIND_TITLES = { region: 'Regions', provider: 'Providers', network: 'Networks' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function pct(x) {
    if (!x) return '0%';
    var p = x * 100;
    return (p < 10 ? p.toFixed(1) : p.toFixed(0)) + '%';
  }
  function ms(x) { return x < 10 ? x.toFixed(1) + ' ms' : Math.round(x) + ' ms'; }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 90 ? s + ' s' : Math.round(s / 60) + ' min';
  }
  function color(key) {
    var h = 0;
    for (var i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }
  function stateClass(state) { return state === 'open' ? 'bad' : state === 'half_open' ? 'warn' : 'ok'; }
  function stateLabel(state) { return state === 'open' ? 'OPEN' : state === 'half_open' ? 'PROBING' : 'closed'; }

  function verdict(u) {
    if (u.wrongChain) return ['bad', 'wrong chain'];
    if (u.cordon) return ['warn', u.cordon.note];
    var d = u.detection || { state: 'clear' };
    if (!u.usable) {
      if (d.state === 'down') return ['bad', 'confirmed down: ' + d.reason];
      if (u.health === 'down') return ['bad', 'down'];
      if (u.breaker === 'open') return ['bad', 'breaker open'];
      return ['bad', 'domain open'];
    }
    if (d.state === 'suspect') return ['warn', 'suspect: ' + d.reason];
    if (u.breaker === 'half_open') return ['warn', 'probing'];
    if (u.lagging) return ['warn', 'lagging'];
    if (u.throttled) return ['warn', 'throttled'];
    if (u.health === 'unknown') return ['warn', 'unchecked'];
    return ['ok', 'ok'];
  }

  // cap (optional): routing.maxShare of dimension capBy, drawn as a line with each share against it.
  function shareBar(title, values, cap, capBy) {
    var wrap = el('div', 'share');
    var bar = el('div', 'bar');
    var legend = el('div', 'legend');
    var keys = Object.keys(values).sort(function (a, b) { return values[b] - values[a]; });
    var any = false;
    keys.forEach(function (k) {
      var v = values[k];
      if (!(v > 0)) return;
      any = true;
      var seg = el('span', 'seg');
      seg.style.width = v * 100 + '%';
      seg.style.background = color(k);
      seg.title = k + ' ' + pct(v);
      bar.appendChild(seg);
      var swatch = el('span', 'swatch');
      swatch.style.background = color(k);
      legend.appendChild(add(el('span', 'legend-item'), swatch, el('span', null, k + ' ' + pct(v))));
    });
    if (!any) legend.appendChild(el('span', 'muted', 'no traffic in the window'));
    var capText = null;
    if (cap) {
      var line = el('span', 'cap-line');
      line.style.left = cap.cap * 100 + '%';
      bar.appendChild(line);
      capText = el('div', 'cap-text', 'cap ' + pct(cap.cap) + ' each · ' + Object.keys(cap.shares)
        .map(function (k) { return k + ' ' + pct(cap.shares[k]) + (cap.shares[k] > cap.cap ? ' (over)' : ''); })
        .join(', ') + (cap.yields ? ' · yielded ' + cap.yields + '× in outages' : ''));
      wrap.setAttribute('data-cap-by', capBy);
      wrap.setAttribute('data-cap', String(cap.cap));
    }
    return add(wrap, el('div', 'share-title', title), bar, legend, capText);
  }

  function domainTile(d, usable) {
    var allDown = d.state !== 'open' && d.members.every(function (m) { return !usable[m]; });
    var tile = el('div', 'domain ' + (allDown ? 'bad' : stateClass(d.state)));
    tile.setAttribute('data-domain', d.key);
    tile.setAttribute('data-state', d.state);
    var since = d.state === 'open' && d.openedAt ? ' for ' + ago(d.openedAt) : '';
    var members = d.members.length + (d.members.length === 1 ? ' upstream' : ' upstreams');
    var label = d.cordon ? d.cordon.note : allDown ? 'ALL DOWN' : stateLabel(d.state) + since;
    if (d.cordon) tile.className = 'domain warn';
    return add(tile, el('div', 'domain-name', d.name), el('div', 'domain-state', label),
      el('div', 'domain-meta', pct(d.share) + ' of traffic · ' + members + (d.opens ? ' · opened ' + d.opens + '×' : '')));
  }

  function feedLine(f) {
    var line = el('div', 'feed muted');
    if (!f || !f.active) {
      line.textContent = 'Subscriptions: none (feed idle)';
      return line;
    }
    var n = f.subscriptions;
    var sources = f.sources.map(function (s) {
      return s.upstream + ' (' + s.transport + (s.connected ? '' : ', down') + (s.lastHead !== null ? ' @' + s.lastHead : '') + ')';
    });
    line.textContent = 'Subscription feed: head ' + (f.head === null ? '–' : f.head) + ' · ' + n.newHeads + ' newHeads, ' +
      n.logs + ' logs, ' + n.newPendingTransactions + ' pending · fed by ' + sources.join(', ');
    return line;
  }

  function renderChain(c, windowSeconds) {
    var sec = el('section', 'chain');
    sec.setAttribute('data-chain', c.name);
    var usable = c.upstreams.filter(function (u) { return u.usable; }).length;
    var usableByName = {};
    c.upstreams.forEach(function (u) { usableByName[u.name] = u.usable; });
    var health = !c.ready ? 'bad' : usable === c.upstreams.length ? 'ok' : 'warn';
    sec.appendChild(add(el('div', 'chain-head'), el('h2', null, c.name),
      el('span', 'muted', 'chain id ' + c.chainId + (c.bestHead !== null ? ' · head ' + c.bestHead : '')),
      el('span', 'badge ' + health, c.ready ? usable + '/' + c.upstreams.length + ' upstreams usable'
        : 'NO USABLE UPSTREAM: panic, using all')));
    if (c.panic && c.ready) sec.appendChild(el('div', 'alert warn', c.panic));

    var domains = el('div', 'domains');
    ['region', 'provider', 'network'].forEach(function (kind) {
      var list = c.domains.filter(function (d) { return d.kind === kind; });
      if (!list.length) return;
      var tiles = el('div', 'tiles');
      list.forEach(function (d) { tiles.appendChild(domainTile(d, usableByName)); });
      domains.appendChild(add(el('div', 'domain-group'), el('h3', null, KIND_TITLES[kind]), tiles));
    });
    sec.appendChild(domains);
    sec.appendChild(feedLine(c.feed));

    sec.appendChild(add(el('div', 'shares'),
      shareBar('Traffic by cloud · last ' + windowSeconds + ' s · ' + c.traffic.attempts + ' attempts', c.traffic.byCloud,
        c.maxShare && c.maxShare.cloud, 'cloud'),
      shareBar('Traffic by provider', c.traffic.byProvider, c.maxShare && c.maxShare.provider, 'provider')));

    var groups = {};
    var order = [];
    c.upstreams.forEach(function (u) {
      var key = u.cloud + '/' + u.region;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(u);
    });
    var domainState = {};
    c.domains.forEach(function (d) { domainState[d.key] = d.state; });
    var table = el('table', 'upstreams');
    var headRow = el('tr');
    ['Upstream', 'Provider', 'State', 'Health', 'Breaker', 'Lag (blocks)', 'Latency', 'In flight', 'Share', 'Last error']
      .forEach(function (h) { headRow.appendChild(el('th', null, h)); });
    table.appendChild(add(el('thead'), headRow));
    order.forEach(function (region) {
      var body = el('tbody', 'region-group');
      body.setAttribute('data-region', region);
      var rstate = domainState['region:' + region] || 'closed';
      var allDown = groups[region].every(function (u) { return !u.usable; });
      var rclass = allDown ? 'bad' : stateClass(rstate);
      var rlabel = rstate === 'open' ? 'region OPEN' : allDown ? 'region: all upstreams down' : 'region ' + stateLabel(rstate);
      var th = el('th');
      th.colSpan = 10;
      add(th, el('span', 'region-name', region), el('span', 'badge ' + rclass, rlabel));
      body.appendChild(add(el('tr', 'region-row ' + rclass), th));
      groups[region].forEach(function (u) {
        var v = verdict(u);
        var tr = el('tr', 'upstream ' + v[0]);
        tr.setAttribute('data-upstream', u.name);
        tr.setAttribute('data-usable', String(u.usable));
        body.appendChild(add(tr, el('td', 'name', u.name),
          el('td', null, u.provider + (u.network ? ' (' + u.network + ')' : '')),
          add(el('td'), el('span', 'badge ' + v[0], v[1])),
          el('td', null, u.health),
          el('td', null, u.breaker.replace('_', '-')),
          el('td', 'num', u.lag === null ? '–' : u.lag),
          el('td', 'num', ms(u.latencyMs)),
          el('td', 'num', u.inFlight),
          el('td', 'num', pct(u.share)),
          el('td', 'err', u.lastError || '')));
      });
      table.appendChild(body);
    });
    sec.appendChild(table);
    return sec;
  }

  function render(doc) {
    var open = [];
    var down = [];
    doc.chains.forEach(function (c) {
      c.domains.forEach(function (d) { if (d.state === 'open') open.push(c.name + ' ' + d.key); });
      c.upstreams.forEach(function (u) { if (!u.usable) down.push(c.name + ' ' + u.name); });
    });
    banner.textContent = '';
    if (doc.draining) banner.appendChild(el('div', 'alert warn', 'Draining: shutting down, finishing requests in flight'));
    if (open.length) {
      banner.appendChild(el('div', 'alert bad', 'OUTAGE: failure domain open, traffic routed around it: ' + open.join(', ')));
    }
    if (down.length && !open.length) {
      banner.appendChild(el('div', 'alert warn', 'Unusable upstreams: ' + down.join(', ')));
    }
    var frag = document.createDocumentFragment();
    doc.chains.forEach(function (c) { frag.appendChild(renderChain(c, doc.shareWindowSeconds)); });
    root.replaceChildren(frag);
    meta.textContent = 'v' + doc.version + ' · up ' + doc.uptimeSeconds + ' s · config loaded ' +
      ago(doc.configLoadedAt) + ' ago · ' + doc.webSocketConnections + ' WebSocket clients';
    document.title = (open.length ? '(' + open.length + ' open) ' : '') + 'Switchyard status';
  }

  function poll() {
    fetch('status', { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (doc) {
        lastOkAt = Date.now();
        render(doc);
        conn.className = 'pill ok';
        conn.textContent = 'live · updated ' + new Date(lastOkAt).toLocaleTimeString();
      })
      .catch(function () {
        conn.className = 'pill bad';
        conn.textContent = lastOkAt
          ? 'status unreachable · last update ' + Math.round((Date.now() - lastOkAt) / 1000) + ' s ago'
          : 'status unreachable';
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;

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
