// The dashboard page's script (routes/dashboard-page.ts embeds it with inline-script.ts): polls ./status
// every second and redraws. Every value from /status is written with textContent, never as HTML. The
// function runs in the browser from its own text, so it may use only browser globals, never an import
// (type imports are erased).
import type { BrowserDocument, BrowserFetch, BrowserResponse, Elem } from './browser-dom.js';
import type {
  ChainView,
  DomainView,
  FamilyFeedView,
  FeedView,
  ProviderView,
  ShadowView,
  ShareCapView,
  StatusView,
  UpstreamView,
} from './status-view.js';

declare const document: BrowserDocument;
declare const fetch: BrowserFetch;

export function dashboardPageScript(): void {
  const POLL_MS = 1000;
  const root = document.getElementById('chains')!;
  const banner = document.getElementById('banner')!;
  const meta = document.getElementById('meta')!;
  const conn = document.getElementById('conn')!;
  let lastOkAt = 0;
  // No red: red means an outage on this page.
  const PALETTE = [
    ...['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#4b5563'],
    ...['#0d9488', '#9333ea'],
  ];
  const KIND_TITLES: Record<string, string> = {
    region: 'Regions',
    provider: 'Providers',
    network: 'Networks',
  };

  function el(tag: string, cls?: string | null, text?: string | number | null): Elem {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent: Elem, ...children: (Elem | null)[]): Elem {
    for (const child of children) if (child) parent.appendChild(child);
    return parent;
  }
  function pct(x: number): string {
    if (!x) return '0%';
    const p = x * 100;
    return `${p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
  }
  function ms(x: number): string {
    return x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`;
  }
  function ago(iso: string): string {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
  }
  function color(key: string): string {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length]!;
  }
  function stateClass(state: string): string {
    return state === 'open' ? 'bad' : state === 'half_open' ? 'warn' : 'ok';
  }
  function stateLabel(state: string): string {
    return state === 'open' ? 'OPEN' : state === 'half_open' ? 'PROBING' : 'closed';
  }

  function verdict(u: UpstreamView): [string, string] {
    if (u.wrongChain) return ['bad', 'wrong chain'];
    // Verified reads (src/stages/verify/): repeated disputes take an upstream out like a wrong chain.
    if (u.outOfRotation) return ['bad', `out of rotation: ${u.disputes} disputes`];
    if (u.cordon) return ['warn', u.cordon.note];
    const d = u.detection || { state: 'clear', reason: null };
    if (!u.usable) {
      if (d.state === 'down') return ['bad', `confirmed down: ${d.reason}`];
      if (u.health === 'down') return ['bad', 'down'];
      if (u.breaker === 'open') return ['bad', 'breaker open'];
      return ['bad', 'domain open'];
    }
    if (d.state === 'suspect') return ['warn', `suspect: ${d.reason}`];
    if (u.breaker === 'half_open') return ['warn', 'probing'];
    if (u.lagging) return ['warn', 'lagging'];
    if (u.throttled) return ['warn', 'throttled'];
    if (u.health === 'unknown') return ['warn', 'unchecked'];
    if (u.disputes) return ['warn', `${u.disputes} disputes`];
    return ['ok', 'ok'];
  }

  // cap (optional): routing.maxShare of dimension capBy, drawn as a line with each share against it.
  function shareBar(
    title: string,
    values: Record<string, number>,
    cap: ShareCapView | null | undefined,
    capBy: string,
  ): Elem {
    const wrap = el('div', 'share');
    const bar = el('div', 'bar');
    const legend = el('div', 'legend');
    const keys = Object.keys(values).sort((a, b) => values[b]! - values[a]!);
    let any = false;
    keys.forEach((k) => {
      const v = values[k]!;
      if (!(v > 0)) return;
      any = true;
      const seg = el('span', 'seg');
      seg.style.width = `${v * 100}%`;
      seg.style.background = color(k);
      seg.title = `${k} ${pct(v)}`;
      bar.appendChild(seg);
      const swatch = el('span', 'swatch');
      swatch.style.background = color(k);
      legend.appendChild(add(el('span', 'legend-item'), swatch, el('span', null, `${k} ${pct(v)}`)));
    });
    if (!any) legend.appendChild(el('span', 'muted', 'no traffic in the window'));
    let capText: Elem | null = null;
    if (cap) {
      const line = el('span', 'cap-line');
      line.style.left = `${cap.cap * 100}%`;
      bar.appendChild(line);
      const shares = Object.keys(cap.shares)
        .map((k) => `${k} ${pct(cap.shares[k]!)}${cap.shares[k]! > cap.cap ? ' (over)' : ''}`)
        .join(', ');
      const yields = cap.yields ? ` · yielded ${cap.yields}× in outages` : '';
      capText = el('div', 'cap-text', `cap ${pct(cap.cap)} each · ${shares}${yields}`);
      wrap.setAttribute('data-cap-by', capBy);
      wrap.setAttribute('data-cap', String(cap.cap));
    }
    return add(wrap, el('div', 'share-title', title), bar, legend, capText);
  }

  function domainTile(d: DomainView, usable: Record<string, boolean>): Elem {
    const allDown = d.state !== 'open' && d.members.every((m) => !usable[m]);
    const tile = el('div', `domain ${allDown ? 'bad' : stateClass(d.state)}`);
    tile.setAttribute('data-domain', d.key);
    tile.setAttribute('data-state', d.state);
    const since = d.state === 'open' && d.openedAt ? ` for ${ago(d.openedAt)}` : '';
    const members = d.members.length + (d.members.length === 1 ? ' upstream' : ' upstreams');
    const label = d.cordon ? d.cordon.note : allDown ? 'ALL DOWN' : stateLabel(d.state) + since;
    if (d.cordon) tile.className = 'domain warn';
    const opens = d.opens ? ` · opened ${d.opens}×` : '';
    return add(
      tile,
      el('div', 'domain-name', d.name),
      el('div', 'domain-state', label),
      el('div', 'domain-meta', `${pct(d.share)} of traffic · ${members}${opens}`),
    );
  }

  function feedLine(f: FeedView | null): Elem {
    const line = el('div', 'feed muted');
    if (!f?.active) {
      line.textContent = 'Subscriptions: none (feed idle)';
      return line;
    }
    const n = f.subscriptions;
    const sources = f.sources.map(
      (s) =>
        `${s.upstream} (${s.transport}${s.connected ? '' : ', down'}${s.lastHead !== null ? ` @${s.lastHead}` : ''})`,
    );
    line.textContent =
      `Subscription feed: head ${f.head === null ? '–' : f.head} · ${n.newHeads} newHeads, ` +
      `${n.logs} logs, ${n.newPendingTransactions} pending · fed by ${sources.join(', ')}`;
    return line;
  }

  function familyFeedLine(f: FamilyFeedView): Elem {
    const line = el('div', 'feed muted');
    const kinds = Object.keys(f.subscriptions)
      .filter((k) => (f.subscriptions[k] ?? 0) > 0)
      .map((k) => `${f.subscriptions[k]} ${k}`);
    const sources = f.sources.map(
      (s) =>
        `${s.upstream} (${s.transport}${s.connected ? '' : ', down'}${s.lastHead !== null ? ` @${s.lastHead}` : ''})`,
    );
    line.textContent =
      `${f.family} subscription feed: ${f.family === 'solana' ? 'slot' : 'height'} ${f.head === null ? '–' : f.head} · ${kinds.join(', ') || 'none'}` +
      ` · fed by ${sources.join(', ')}`;
    return line;
  }

  function renderChain(c: ChainView, windowSeconds: number): Elem {
    const sec = el('section', 'chain');
    sec.setAttribute('data-chain', c.name);
    const usable = c.upstreams.filter((u) => u.usable).length;
    const usableByName: Record<string, boolean> = {};
    c.upstreams.forEach((u) => {
      usableByName[u.name] = u.usable;
    });
    const health = !c.ready ? 'bad' : usable === c.upstreams.length ? 'ok' : 'warn';
    const head = c.bestHead !== null ? ` · head ${c.bestHead}` : '';
    const readiness = c.ready
      ? `${usable}/${c.upstreams.length} upstreams usable`
      : 'NO USABLE UPSTREAM: panic, using all';
    sec.appendChild(
      add(
        el('div', 'chain-head'),
        el('h2', null, c.name),
        el('span', 'muted', `chain id ${c.chainId}${head}`),
        el('span', `badge ${health}`, readiness),
      ),
    );
    if (c.panic && c.ready) sec.appendChild(el('div', 'alert warn', c.panic));

    const domains = el('div', 'domains');
    ['region', 'provider', 'network'].forEach((kind) => {
      const list = c.domains.filter((d) => d.kind === kind);
      if (!list.length) return;
      const tiles = el('div', 'tiles');
      list.forEach((d) => {
        tiles.appendChild(domainTile(d, usableByName));
      });
      domains.appendChild(add(el('div', 'domain-group'), el('h3', null, KIND_TITLES[kind]), tiles));
    });
    sec.appendChild(domains);
    if (c.familyFeed?.active) sec.appendChild(familyFeedLine(c.familyFeed));
    else sec.appendChild(feedLine(c.feed));

    const byCloud = `Traffic by cloud · last ${windowSeconds} s · ${c.traffic.attempts} attempts`;
    sec.appendChild(
      add(
        el('div', 'shares'),
        shareBar(byCloud, c.traffic.byCloud, c.maxShare?.cloud, 'cloud'),
        shareBar('Traffic by provider', c.traffic.byProvider, c.maxShare?.provider, 'provider'),
      ),
    );
    sec.appendChild(upstreamTable(c));
    if (c.shadow) sec.appendChild(shadowLine(c.shadow));
    return sec;
  }

  // Shadow upstreams: copies of sampled reads, compared with the answers served.
  function shadowLine(s: ShadowView): Elem {
    const parts = s.upstreams.map((u) => {
      let match = 0;
      let mismatch = 0;
      let errors = 0;
      let latency = 0;
      Object.keys(u.methods).forEach((m) => {
        const x = u.methods[m]!;
        match += x.match;
        mismatch += x.mismatch;
        errors += x.error;
        latency += (x.meanLatencyMs ?? 0) * (x.match + x.mismatch);
      });
      const answered = match + mismatch;
      const mean = answered ? ` · mean ${ms(latency / answered)}` : '';
      return `${u.name}: ${answered} compared, ${mismatch} mismatched${answered ? ` (${pct(mismatch / answered)})` : ''}, ${errors} errors${mean}`;
    });
    return el('div', 'feed muted', `Shadow upstreams (${pct(s.rate)} of reads): ${parts.join(' · ')}`);
  }

  // Provider budgets: spend against the budget, and when it runs out at the recent rate.
  function budgetLines(providers: ProviderView[]): Elem[] {
    return providers
      .filter((p) => p.budget)
      .map((p) => {
        const b = p.budget!;
        const when = b.projectedExhaustion ? ` · runs out ${b.projectedExhaustion}` : ' · lasts the period';
        const pacing = b.pacing > 1 ? ` · preferred less (×${b.pacing})` : '';
        const text = `Budget ${p.name}: ${Math.round(b.spent)} of ${b.credits} credits spent (${pct(b.spent / b.credits)})${b.exhausted ? ' · SPENT: reads go elsewhere' : when}${pacing}`;
        return el('div', `alert ${b.exhausted ? 'bad' : b.pacing > 1 ? 'warn' : 'ok'}`, text);
      });
  }

  function upstreamTable(c: ChainView): Elem {
    const groups: Record<string, UpstreamView[]> = {};
    const order: string[] = [];
    c.upstreams.forEach((u) => {
      const key = `${u.cloud}/${u.region}`;
      if (!groups[key]) {
        groups[key] = [];
        order.push(key);
      }
      groups[key].push(u);
    });
    const domainState: Record<string, string> = {};
    c.domains.forEach((d) => {
      domainState[d.key] = d.state;
    });
    const table = el('table', 'upstreams');
    const headRow = el('tr');
    const titles = ['Upstream', 'Provider', 'State', 'Health', 'Breaker', 'Lag (blocks)', 'Latency'];
    [...titles, 'In flight', 'Share', 'Last error'].forEach((h) => {
      headRow.appendChild(el('th', null, h));
    });
    table.appendChild(add(el('thead'), headRow));
    order.forEach((region) => {
      const members = groups[region]!;
      const body = el('tbody', 'region-group');
      body.setAttribute('data-region', region);
      const rstate = domainState[`region:${region}`] || 'closed';
      const allDown = members.every((u) => !u.usable);
      const rclass = allDown ? 'bad' : stateClass(rstate);
      const rlabel =
        rstate === 'open'
          ? 'region OPEN'
          : allDown
            ? 'region: all upstreams down'
            : `region ${stateLabel(rstate)}`;
      const th = document.createElement('th');
      th.colSpan = 10;
      add(th, el('span', 'region-name', region), el('span', `badge ${rclass}`, rlabel));
      body.appendChild(add(el('tr', `region-row ${rclass}`), th));
      members.forEach((u) => {
        const v = verdict(u);
        const tr = el('tr', `upstream ${v[0]}`);
        tr.setAttribute('data-upstream', u.name);
        tr.setAttribute('data-usable', String(u.usable));
        body.appendChild(
          add(
            tr,
            el('td', 'name', u.name),
            el('td', null, u.provider + (u.network ? ` (${u.network})` : '')),
            add(el('td'), el('span', `badge ${v[0]}`, v[1])),
            el('td', null, u.health),
            el('td', null, u.breaker.replace('_', '-')),
            el('td', 'num', u.lag === null ? '–' : u.lag),
            el('td', 'num', ms(u.latencyMs)),
            el('td', 'num', u.inFlight),
            el('td', 'num', pct(u.share)),
            el('td', 'err', u.lastError || ''),
          ),
        );
      });
      table.appendChild(body);
    });
    return table;
  }

  function render(doc: StatusView): void {
    const open: string[] = [];
    const down: string[] = [];
    doc.chains.forEach((c) => {
      c.domains.forEach((d) => {
        if (d.state === 'open') open.push(`${c.name} ${d.key}`);
      });
      c.upstreams.forEach((u) => {
        if (!u.usable) down.push(`${c.name} ${u.name}`);
      });
    });
    banner.textContent = '';
    if (doc.draining) {
      banner.appendChild(el('div', 'alert warn', 'Draining: shutting down, finishing requests in flight'));
    }
    if (open.length) {
      const text = `OUTAGE: failure domain open, traffic routed around it: ${open.join(', ')}`;
      banner.appendChild(el('div', 'alert bad', text));
    }
    if (down.length && !open.length) {
      banner.appendChild(el('div', 'alert warn', `Unusable upstreams: ${down.join(', ')}`));
    }
    budgetLines(doc.providers ?? []).forEach((line) => {
      banner.appendChild(line);
    });
    const frag = document.createDocumentFragment();
    doc.chains.forEach((c) => {
      frag.appendChild(renderChain(c, doc.shareWindowSeconds));
    });
    root.replaceChildren(frag);
    meta.textContent =
      `v${doc.version} · up ${doc.uptimeSeconds} s · config loaded ` +
      `${ago(doc.configLoadedAt)} ago · ${doc.webSocketConnections} WebSocket clients`;
    document.title = `${open.length ? `(${open.length} open) ` : ''}Switchyard status`;
  }

  function poll(): void {
    fetch('status', { cache: 'no-store' })
      .then((r: BrowserResponse) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json();
      })
      .then((doc: StatusView) => {
        lastOkAt = Date.now();
        render(doc);
        conn.className = 'pill ok';
        conn.textContent = `live · updated ${new Date(lastOkAt).toLocaleTimeString()}`;
      })
      .catch(() => {
        conn.className = 'pill bad';
        conn.textContent = lastOkAt
          ? `status unreachable · last update ${Math.round((Date.now() - lastOkAt) / 1000)} s ago`
          : 'status unreachable';
      })
      .then(() => {
        setTimeout(poll, POLL_MS);
      });
  }
  poll();
}
