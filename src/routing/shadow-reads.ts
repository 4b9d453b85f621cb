// Shadow upstreams (`shadow: true`): a sample of a chain's client reads (`routing.shadowRate`) is copied
// to each of them after the client was answered, and each answer is compared (canonical form) with the
// one served. Their answers are never served and never delay a client: the copy leaves once the call
// is settled. Transaction submissions are never copied (the caller passes only reads). A shadow's
// rate limits count: a copy that would cross one is skipped. How a team trials a provider (or a new
// region) on live traffic before trusting it.
import type { ChainFamily } from '../families/family.js';
import { canonicalJson } from './canonical-json.js';
import { classify } from './classify.js';
import type { Observer } from './observer.js';
import type { Upstream } from './upstream.js';

export type ShadowResult = 'match' | 'mismatch' | 'error' | 'skipped';

export interface ShadowMethodStats {
  match: number;
  mismatch: number;
  error: number;
  skipped: number;
  /** Latency of the answered copies (matches and mismatches). */
  latencyMsSum: number;
  latencyMsMax: number;
  /** The last mismatch seen, cut short (for /status: what differed). */
  lastMismatch: { served: string; shadow: string } | undefined;
}

/** Characters of each side kept for the last mismatch. */
const EXCERPT = 200;

export class ShadowReads {
  /** Per shadow upstream, per method label. */
  readonly stats = new Map<string, Map<string, ShadowMethodStats>>();

  constructor(
    readonly chain: string,
    readonly shadows: readonly Upstream[],
    readonly rate: number,
    private readonly family: ChainFamily,
    private readonly tryTimeoutMs: number,
    private readonly observer: Observer,
    private readonly random: () => number = Math.random,
    previous?: ShadowReads,
  ) {
    if (previous) for (const u of shadows) this.keep(previous, u.name);
  }

  /** A client read was answered with `served`: maybe send a copy of `body` to every shadow. */
  offer(method: string, label: string, body: Buffer, served: unknown, nowMs: number): void {
    if (this.rate <= 0 || this.random() >= this.rate) return;
    let servedText: string | undefined;
    for (const u of this.shadows) {
      const stats = this.statsOf(u.name, label);
      if (u.isDown || (u.limits && !u.limits.takeProbe(method, nowMs))) {
        this.count(u, label, stats, 'skipped', 0);
        continue;
      }
      servedText ??= canonicalJson(served);
      const expected = servedText;
      const startMs = performance.now();
      void u.client.send(body, undefined, this.tryTimeoutMs).then((end) => {
        const latencyMs = performance.now() - startMs;
        const c = classify(method, end, Date.now(), this.family);
        if (c.outcome !== 'ok' || c.reply?.kind !== 'result') {
          this.count(u, label, stats, 'error', latencyMs);
          return;
        }
        const got = canonicalJson(c.reply.value);
        if (got === expected) this.count(u, label, stats, 'match', latencyMs);
        else {
          stats.lastMismatch = { served: expected.slice(0, EXCERPT), shadow: got.slice(0, EXCERPT) };
          this.count(u, label, stats, 'mismatch', latencyMs);
        }
      });
    }
  }

  private count(
    u: Upstream,
    label: string,
    stats: ShadowMethodStats,
    result: ShadowResult,
    ms: number,
  ): void {
    stats[result]++;
    if (result === 'match' || result === 'mismatch') {
      stats.latencyMsSum += ms;
      if (ms > stats.latencyMsMax) stats.latencyMsMax = ms;
    }
    this.observer.shadowRead?.(this.chain, u.name, label, result, ms);
  }

  private statsOf(upstream: string, label: string): ShadowMethodStats {
    let byMethod = this.stats.get(upstream);
    if (!byMethod) {
      byMethod = new Map();
      this.stats.set(upstream, byMethod);
    }
    let stats = byMethod.get(label);
    if (!stats) {
      stats = {
        match: 0,
        mismatch: 0,
        error: 0,
        skipped: 0,
        latencyMsSum: 0,
        latencyMsMax: 0,
        lastMismatch: undefined,
      };
      byMethod.set(label, stats);
    }
    return stats;
  }

  private keep(previous: ShadowReads, upstream: string): void {
    const old = previous.stats.get(upstream);
    if (old) this.stats.set(upstream, old);
  }
}
