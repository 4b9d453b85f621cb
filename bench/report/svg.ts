// One hand-made SVG per outage scenario: latency p50/p99 per 100 ms bucket (log scale) above failed
// requests per bucket, one colour per proxy, the fault window shaded and each fault step marked.
import type { ScenarioResult } from '../scenarios/analyze.js';
import { TARGET_LABELS, type TargetKind } from '../targets/target.js';

const COLORS: Record<TargetKind, string> = {
  switchyard: '#1565c0',
  nginx: '#2e7d32',
  haproxy: '#c62828',
  naive: '#6a1b9a',
  bare: '#ef6c00',
  direct: '#555555',
};

const W = 960;
const H = 540;
const M = { left: 64, right: 20, top: 68, bottom: 44 };
const LAT_H = 290;
const GAP = 34;
const ERR_H = H - M.top - M.bottom - LAT_H - GAP;
const Y_MIN = 1;
const Y_MAX = 5000;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

export function scenarioSvg(results: ScenarioResult[]): string {
  const first = results[0];
  if (!first) return '';
  const plotW = W - M.left - M.right;
  const t0 = Math.min(...results.map((r) => r.buckets[0]?.tMs ?? -r.baselineMs));
  const t1 = Math.max(...results.map((r) => (r.buckets[r.buckets.length - 1]?.tMs ?? 0) + 100));
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * plotW;
  const latTop = M.top;
  const ly = (ms: number) => {
    const v = Math.min(Y_MAX, Math.max(Y_MIN, ms));
    const frac = (Math.log10(v) - Math.log10(Y_MIN)) / (Math.log10(Y_MAX) - Math.log10(Y_MIN));
    return latTop + LAT_H - frac * LAT_H;
  };
  const errTop = latTop + LAT_H + GAP;
  const maxErr = Math.max(1, ...results.flatMap((r) => r.buckets.map((b) => b.failed)));
  const ey = (n: number) => errTop + ERR_H - (n / maxErr) * ERR_H;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="20" font-size="15" font-weight="bold">${esc(first.title)}</text>`);
  out.push(
    `<text x="${M.left}" y="37" fill="#555">Latency per 100 ms bucket of request start (p99 solid, p50 dashed; log scale) and failed requests; fault window shaded</text>`,
  );
  // Fault window and steps.
  const fx0 = x(0);
  const fx1 = x(first.faultMs);
  for (const [top, h] of [
    [latTop, LAT_H],
    [errTop, ERR_H],
  ] as const) {
    out.push(
      `<rect x="${f1(fx0)}" y="${top}" width="${f1(fx1 - fx0)}" height="${h}" fill="#ffcdd2" opacity="0.45"/>`,
    );
  }
  first.steps.forEach((s, i) => {
    const sx = x(s.tMs);
    out.push(
      `<line x1="${f1(sx)}" y1="${latTop}" x2="${f1(sx)}" y2="${errTop + ERR_H}" stroke="#b71c1c" stroke-dasharray="3,3" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${f1(sx + 3)}" y="${latTop + 12 + (i % 3) * 12}" fill="#b71c1c" font-size="10">${esc(s.label)}</text>`,
    );
  });
  // Axes: latency grid.
  for (const v of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) {
    const yy = ly(v);
    const major = [1, 10, 100, 1000].includes(v);
    out.push(
      `<line x1="${M.left}" y1="${f1(yy)}" x2="${W - M.right}" y2="${f1(yy)}" stroke="${major ? '#ccc' : '#eee'}"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${f1(yy + 4)}" text-anchor="end" fill="#444">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${latTop}" width="${plotW}" height="${LAT_H}" fill="none" stroke="#888"/>`,
  );
  out.push(
    `<rect x="${M.left}" y="${errTop}" width="${plotW}" height="${ERR_H}" fill="none" stroke="#888"/>`,
  );
  out.push(
    `<text x="${M.left - 6}" y="${errTop + 10}" text-anchor="end" fill="#444">${maxErr}</text><text x="${M.left - 6}" y="${errTop + ERR_H}" text-anchor="end" fill="#444">0</text>`,
  );
  out.push(
    `<text transform="translate(14 ${errTop + ERR_H / 2}) rotate(-90)" text-anchor="middle" fill="#444">failed / 100 ms</text>`,
  );
  // Time axis.
  const step = t1 - t0 > 20_000 ? 2000 : 1000;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const xx = x(t);
    out.push(
      `<line x1="${f1(xx)}" y1="${errTop + ERR_H}" x2="${f1(xx)}" y2="${errTop + ERR_H + 4}" stroke="#888"/>`,
    );
    out.push(
      `<text x="${f1(xx)}" y="${errTop + ERR_H + 16}" text-anchor="middle" fill="#444">${t / 1000} s</text>`,
    );
  }
  out.push(
    `<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle" fill="#444">time since fault start (request start time)</text>`,
  );
  // Series.
  for (const r of results) {
    const color = COLORS[r.target];
    for (const [key, dash, width] of [
      ['p99Ms', '', 1.6],
      ['p50Ms', '5,3', 1],
    ] as const) {
      let d = '';
      let pen = false;
      for (const b of r.buckets) {
        const v = b[key];
        if (v === null) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${f1(x(b.tMs + 50))},${f1(ly(v))}`;
        pen = true;
      }
      if (d) {
        out.push(
          `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
        );
      }
    }
    let e = '';
    for (const b of r.buckets) e += `${e ? 'L' : 'M'}${f1(x(b.tMs + 50))},${f1(ey(b.failed))}`;
    if (e) out.push(`<path d="${e}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    // Switchyard: when the scenario's domain breaker opened.
    for (const ev of r.events) {
      if (ev.kind !== 'domain_open' || ev.key !== r.domain || ev.tMs < t0 || ev.tMs > t1) continue;
      const ex = x(ev.tMs);
      out.push(
        `<path d="M${f1(ex)},${latTop + LAT_H}l-4,7h8z" fill="${color}"><title>${esc(`${ev.key} opened at ${ev.tMs} ms`)}</title></path>`,
      );
    }
  }
  // Legend.
  let lx = W - M.right - 10;
  const legend = [...results].reverse();
  for (const r of legend) {
    const label = `${TARGET_LABELS[r.target]} (${r.failed} failed, p99 in fault ${r.phases.during.p99Ms ?? '—'} ms)`;
    const w = label.length * 6 + 28;
    lx -= w;
    out.push(
      `<line x1="${lx}" y1="${latTop - 12}" x2="${lx + 18}" y2="${latTop - 12}" stroke="${COLORS[r.target]}" stroke-width="3"/>`,
    );
    out.push(`<text x="${lx + 22}" y="${latTop - 8}" fill="#222">${esc(label)}</text>`);
  }
  out.push(
    `<text x="${M.left + 4}" y="${latTop + LAT_H - 6}" fill="#777" font-size="10">▲ Switchyard opened the scenario's failure domain</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
