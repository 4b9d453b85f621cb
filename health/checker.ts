// Active health checks per upstream: chain id (a wrong chain is never used), head (block lag),
// optionally syncing; rise/fall hysteresis, jittered intervals, faster while down, slower while live
// traffic already proves the upstream healthy (probes cost money on paid providers).
import type { ChainRuntime } from '../src/chain.js';
import type { Logger } from '../src/logger.js';
import type { Observer } from '../src/observer.js';
import type { Upstream } from '../src/upstream.js';
import { parseQuantity, probe } from './probes/evm.js';

/**
 * Re-check the chain id every this many checks: providers get re-pointed behind the same URL. Live
 * eth_chainId answers are checked too (see the dispatcher).
 */
const CHAIN_ID_EVERY = 2;
const JITTER = 0.2;

interface Track {
  chain: ChainRuntime;
  upstream: Upstream;
  timer: NodeJS.Timeout | undefined;
  checks: number;
  successes: number;
  failures: number;
}

export class HealthChecker {
  private readonly tracks: Track[] = [];
  private stopped = true;

  constructor(
    chains: readonly ChainRuntime[],
    private readonly logger: Logger,
    private readonly observer: Observer,
    private readonly random: () => number = Math.random,
  ) {
    for (const chain of chains) {
      for (const upstream of chain.upstreams) {
        this.tracks.push({ chain, upstream, timer: undefined, checks: 0, successes: 0, failures: 0 });
      }
    }
  }

  /** Checks every upstream now, then on its schedule; resolves when the first round is done. */
  start(): Promise<void> {
    this.stopped = false;
    return Promise.all(
      this.tracks.map((t) => this.check(t).then(() => this.schedule(t, this.nextDelayMs(t)))),
    ).then(() => {});
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.tracks) clearTimeout(t.timer);
  }

  private nextDelayMs(t: Track): number {
    const h = t.chain.settings.health;
    const u = t.upstream;
    let base = h.intervalMs;
    // Down, lagging or in a domain that is not closed: live traffic avoids it, so only a probe can
    // show it came back (its head would otherwise stay frozen and keep it out of `latest` reads).
    const lag = t.chain.lagOf(u) ?? 0;
    const domainNotClosed = u.domains.some((d) => t.chain.domainState(d, Date.now()) !== 'closed');
    if (
      u.health === 'down' ||
      u.wrongChain ||
      u.breakerState !== 'closed' ||
      lag > h.maxBlockLag ||
      domainNotClosed
    ) {
      base = h.downIntervalMs;
    } else if (Date.now() - u.lastSuccessMs < h.busyIntervalMs) base = h.busyIntervalMs;
    return base * (1 - JITTER + 2 * JITTER * this.random());
  }

  private schedule(t: Track, delayMs: number): void {
    if (this.stopped) return;
    t.timer = setTimeout(() => {
      void this.check(t).then(() => this.schedule(t, this.nextDelayMs(t)));
    }, delayMs);
    t.timer.unref();
  }

  /** One round of probes for one upstream. */
  private async check(t: Track): Promise<void> {
    const { chain, upstream } = t;
    const h = chain.settings.health;
    let ok = true;
    let reason = '';
    if (t.checks % CHAIN_ID_EVERY === 0 || upstream.wrongChain || upstream.reportedChainId === undefined) {
      const r = await probe(upstream, 'eth_chainId', h.timeoutMs);
      this.observer.healthCheck(chain.name, upstream.name, 'eth_chainId', r.ok);
      if (r.ok) {
        const id = parseQuantity(r.value);
        upstream.reportedChainId = id;
        const wrong = id !== chain.chainId;
        if (wrong !== upstream.wrongChain) {
          this.logger[wrong ? 'warn' : 'info'](wrong ? 'upstream on wrong chain' : 'upstream chain id ok', {
            chain: chain.name,
            upstream: upstream.name,
            expected: chain.chainId,
            reported: id,
          });
        }
        upstream.wrongChain = wrong;
        if (wrong) {
          // Its head and sync state mean nothing for this chain: no further probes this round.
          ok = false;
          reason = `wrong chain id ${id ?? 'unreadable'}`;
        }
      } else {
        ok = false;
        reason = r.reason;
      }
    }
    if (ok) {
      const r = await probe(upstream, 'eth_blockNumber', h.timeoutMs);
      this.observer.healthCheck(chain.name, upstream.name, 'eth_blockNumber', r.ok);
      const head = r.ok ? parseQuantity(r.value) : undefined;
      if (head === undefined) {
        ok = false;
        reason = r.ok ? 'eth_blockNumber: not a quantity' : r.reason;
      } else {
        // A probe's head replaces the last one even when lower: a reorg or a re-pointed provider.
        upstream.head = head;
        upstream.headSeenAtMs = Date.now();
      }
    }
    if (ok && h.checkSyncing) {
      const r = await probe(upstream, 'eth_syncing', h.timeoutMs);
      this.observer.healthCheck(chain.name, upstream.name, 'eth_syncing', r.ok);
      if (!r.ok || r.value !== false) {
        ok = false;
        reason = r.ok ? 'node is syncing' : r.reason;
      }
    }
    t.checks++;
    this.apply(t, ok, reason);
    this.probeDomains(t, ok);
  }

  /**
   * A check is also the probe of a half-open failure domain: a domain whose traffic moved away would
   * otherwise wait for a live request to come its way before it could close.
   */
  private probeDomains(t: Track, ok: boolean): void {
    const nowMs = Date.now();
    for (const key of t.upstream.domains) {
      const domain = t.chain.domains.get(key)!;
      if (domain.stateAt(nowMs) !== 'half_open' || !domain.admits(nowMs)) continue;
      domain.record(t.upstream.name, !ok, nowMs);
    }
  }

  private apply(t: Track, ok: boolean, reason: string): void {
    const { upstream, chain } = t;
    const h = chain.settings.health;
    if (ok) {
      t.successes++;
      t.failures = 0;
    } else {
      t.failures++;
      t.successes = 0;
      upstream.lastError = reason;
    }
    const before = upstream.health;
    if (ok && before !== 'up' && (before === 'unknown' || t.successes >= h.rise)) upstream.health = 'up';
    if (!ok && before !== 'down' && t.failures >= h.fall) upstream.health = 'down';
    if (before !== upstream.health) {
      if (before === 'down' && upstream.health === 'up') upstream.recoveredAtMs = Date.now();
      this.logger.info('upstream health changed', {
        chain: chain.name,
        upstream: upstream.name,
        from: before,
        to: upstream.health,
        ...(ok ? {} : { reason }),
      });
    }
  }
}
