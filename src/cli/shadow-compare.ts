// `switchyard bench providers`, shadow upstreams (`shadow: true`): the same reads sent at the same
// moment to each shadow and to the chain's best-ranked serving upstream, pinned to a block a few
// below the best head (so both can know it), and the answers compared in canonical form, as the
// shadow sampler does on live traffic (src/routing/shadow-reads.ts): mismatches and latency per method.
import type { Config } from '../config/config.js';
import { canonicalJson } from '../routing/canonical-json.js';
import { quantileSorted } from './quantile.js';
import { type ChainScores, UpstreamProbe } from './rank-providers.js';

/** Blocks below the best head the compared reads are pinned to. */
const PIN_DEPTH = 8;

interface MethodComparison {
  method: string;
  compared: number;
  mismatches: number;
  failed: number;
  shadowP50Ms: number | null;
  referenceP50Ms: number | null;
}

export interface ShadowComparison {
  chain: string;
  shadow: string;
  reference: string;
  block: number;
  methods: MethodComparison[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function callsAt(block: number): [string, unknown[]][] {
  return [
    ['eth_chainId', []],
    ['eth_getBlockByNumber', [hex(block), false]],
    ['eth_getBalance', ['0x0000000000000000000000000000000000000000', hex(block)]],
  ];
}

const p50 = (xs: number[]): number | null => {
  const sorted = [...xs].sort((a, b) => a - b);
  const q = quantileSorted(sorted, 0.5);
  return q === undefined ? null : Math.round(q * 10) / 10;
};

export async function compareShadows(
  config: Pick<Config, 'chains'>,
  scores: ChainScores[],
  rounds: number,
  timeoutMs: number,
): Promise<ShadowComparison[]> {
  const out: ShadowComparison[] = [];
  for (const chain of config.chains) {
    const shadows = chain.upstreams.filter((u) => u.shadow);
    const score = scores.find((s) => s.chain === chain.name);
    const best = score?.upstreams.find(
      (u) => u.verdict === 'ok' && !chain.upstreams.find((c) => c.name === u.name)?.shadow,
    );
    const refConfig = best && chain.upstreams.find((u) => u.name === best.name);
    if (shadows.length === 0 || !refConfig || score?.bestHead == null) continue;
    const block = Math.max(0, score.bestHead - PIN_DEPTH);
    const reference = new UpstreamProbe(refConfig, timeoutMs);
    try {
      for (const shadowConfig of shadows) {
        const shadow = new UpstreamProbe(shadowConfig, timeoutMs);
        const methods = new Map<string, { m: MethodComparison; s: number[]; r: number[] }>();
        try {
          for (let i = 0; i < rounds; i++) {
            for (const [method, params] of callsAt(block)) {
              const [a, b] = await Promise.all([shadow.call(method, params), reference.call(method, params)]);
              let entry = methods.get(method);
              if (!entry) {
                const m = {
                  method,
                  compared: 0,
                  mismatches: 0,
                  failed: 0,
                  shadowP50Ms: null,
                  referenceP50Ms: null,
                };
                entry = { m, s: [], r: [] };
                methods.set(method, entry);
              }
              if (a.kind !== 'ok' || b.kind !== 'ok') {
                entry.m.failed++;
                continue;
              }
              entry.m.compared++;
              entry.s.push(a.ms);
              entry.r.push(b.ms);
              if (canonicalJson(a.value) !== canonicalJson(b.value)) entry.m.mismatches++;
            }
          }
        } finally {
          await shadow.close();
        }
        out.push({
          chain: chain.name,
          shadow: shadowConfig.name,
          reference: refConfig.name,
          block,
          methods: [...methods.values()].map(({ m, s, r }) => ({
            ...m,
            shadowP50Ms: p50(s),
            referenceP50Ms: p50(r),
          })),
        });
      }
    } finally {
      await reference.close();
    }
  }
  return out;
}

export function formatShadowTable(comparisons: ShadowComparison[]): string {
  if (comparisons.length === 0) return '';
  const lines = [
    'shadow upstreams: the same reads, at the same moment, compared with the best serving upstream',
  ];
  for (const c of comparisons) {
    lines.push(`  ${c.chain} · ${c.shadow} against ${c.reference}, at block ${c.block}`);
    lines.push(
      `    ${'method'.padEnd(24)} ${'compared'.padStart(8)} ${'mismatch'.padStart(8)} ${'failed'.padStart(6)} ${'p50 ms'.padStart(8)} ${'ref p50'.padStart(8)}`,
    );
    for (const m of c.methods) {
      const ms = (v: number | null) => (v === null ? '—' : v.toFixed(1));
      lines.push(
        `    ${m.method.padEnd(24)} ${String(m.compared).padStart(8)} ${String(m.mismatches).padStart(8)} ${String(m.failed).padStart(6)} ${ms(m.shadowP50Ms).padStart(8)} ${ms(m.referenceP50Ms).padStart(8)}`,
      );
    }
  }
  return lines.join('\n');
}
