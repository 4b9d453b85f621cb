// Active health checks per upstream: chain id (a wrong chain is never used), head (block lag),
// optionally syncing; rise/fall hysteresis, jittered intervals, faster while down, slower while live
// traffic already proves the upstream healthy (probes cost money on paid providers).

import type { Logger } from '../src/log/logger.js';
import type { ChainRuntime } from '../src/routing/chain.js';
import type { Observer } from '../src/routing/observer.js';
import type { Upstream } from '../src/routing/upstream.js';
import { probeFamily } from './probes/family-probe.js';

const JITTER = 0.2;

interface Track {
  chain: ChainRuntime;
  upstream: Upstream;
  timer: NodeJS.Timeout | undefined;
  checks: number;
  successes: number;
  failures: number;
  /** Checks under way: while recovering, a hung probe must not delay the next one. */
  running: number;
  /** Start time of the latest check that succeeded. */
  lastOkStartedMs: number;
}

/**
 * Checks that may overlap on one upstream while it is being watched for recovery: as many as can wait
 * at once at `downInterval` with the probe timeout, so checks hung since an outage never hold back the
 * one that would see the heal (four held it back up to a timeout: a healed region stayed out 2 s).
 */
const MAX_OVERLAPPING_CHECKS = 8;

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
        this.tracks.push({
          chain,
          upstream,
          timer: undefined,
          checks: 0,
          successes: 0,
          failures: 0,
          running: 0,
          lastOkStartedMs: 0,
        });
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

  /**
   * Down, lagging or in a domain that is not closed: live traffic avoids it, so only a probe can show
   * it came back (its head would otherwise stay frozen and keep it out of `latest` reads).
   */
  private recovering(t: Track): boolean {
    const u = t.upstream;
    const lag = t.chain.lagOf(u) ?? 0;
    const domainNotClosed = u.domains.some((d) => t.chain.domainState(d, Date.now()) !== 'closed');
    return (
      u.health === 'down' ||
      u.wrongChain ||
      u.breakerState !== 'closed' ||
      lag > t.chain.settings.health.maxBlockLag ||
      domainNotClosed
    );
  }

  private nextDelayMs(t: Track): number {
    const h = t.chain.settings.health;
    const u = t.upstream;
    let base = h.intervalMs;
    if (this.recovering(t)) {
      base = h.downIntervalMs;
    } else if (Date.now() - u.lastSuccessMs < h.busyIntervalMs) base = h.busyIntervalMs;
    return base * (1 - JITTER + 2 * JITTER * this.random());
  }

  private schedule(t: Track, delayMs: number): void {
    if (this.stopped) return;
    t.timer = setTimeout(() => {
      // While recovering, the next check starts on time even if this one hangs on a dead upstream.
      const h = t.chain.settings.health;
      const limit = Math.min(MAX_OVERLAPPING_CHECKS, Math.ceil(h.timeoutMs / h.downIntervalMs) + 1);
      const overlap = this.recovering(t) && t.running < limit;
      t.running++;
      const done = this.check(t).finally(() => t.running--);
      if (overlap) this.schedule(t, this.nextDelayMs(t));
      else void done.then(() => this.schedule(t, this.nextDelayMs(t)));
    }, delayMs);
    t.timer.unref();
  }

  /** Checks one upstream now (an answer contradicted its chain), unless a check of it is under way. */
  checkNow(chain: ChainRuntime, upstream: Upstream): void {
    const t = this.tracks.find((x) => x.chain === chain && x.upstream === upstream);
    if (!t || this.stopped || t.running > 0) return;
    t.running++;
    void this.check(t).finally(() => t.running--);
  }

  /** One round of probes for one upstream: identity, head, readiness, as its chain's family asks them. */
  private async check(t: Track): Promise<void> {
    const { chain, upstream } = t;
    const h = chain.settings.health;
    const { family } = chain;
    const probes = family.probes;
    const startedMs = Date.now();
    // At its rate limit or budget (providers bill probes too): no round now; it decides nothing.
    const limits = upstream.limits;
    if (
      limits &&
      (!limits.allows(probes.identity.method, startedMs) ||
        limits.overBudget(probes.identity.method, startedMs))
    )
      return;
    let ok = true;
    let reason = '';
    // Every round: a provider re-pointed behind the same URL must not serve another chain for long,
    // and the identity call (eth_chainId, getGenesisHash, ...) is the cheapest one a node has.
    const identityCheck = await this.checkIdentity(t);
    if (identityCheck !== undefined) {
      ok = false;
      reason = identityCheck;
    }
    if (ok) {
      const r = await probeFamily(upstream, family, probes.head, h.timeoutMs);
      if (!r.ok && r.notSent) return;
      const head = r.ok ? probes.readHead(r.answer) : undefined;
      this.observer.healthCheck(chain.name, upstream.name, probes.head.method, head !== undefined);
      if (head === undefined) {
        ok = false;
        reason = r.ok ? `${probes.head.method}: ${answerText(r.answer, 'no head in the answer')}` : r.reason;
      } else {
        // A probe's head replaces the last one even when lower: a reorg or a re-pointed provider.
        const seenAtMs = Date.now();
        chain.recordHead(upstream, head, seenAtMs, true);
        // Its round trip is a latency sample too: an upstream that live traffic now avoids (it was
        // slow a while ago) is seen getting fast again, and wins its share back as its estimate falls.
        upstream.latency.observe(r.latencyMs, seenAtMs);
      }
    }
    // EVM asks eth_syncing only when configured (most providers hide it); other families always.
    const readiness = probes.readiness;
    if (ok && readiness && probes.readReadiness && (family.name !== 'evm' || h.checkSyncing)) {
      const r = await probeFamily(upstream, family, readiness, h.timeoutMs);
      if (!r.ok && r.notSent) return;
      const verdict = r.ok ? probes.readReadiness(r.answer) : { ready: false, reason: r.reason };
      this.observer.healthCheck(chain.name, upstream.name, readiness.method, verdict.ready);
      if (!verdict.ready) {
        ok = false;
        reason = verdict.reason ?? 'not ready';
      }
    }
    t.checks++;
    // A check that hung since before a newer one succeeded speaks of the past: it decides nothing.
    if (!ok && startedMs < t.lastOkStartedMs) return;
    if (ok) t.lastOkStartedMs = Math.max(t.lastOkStartedMs, startedMs);
    this.apply(t, ok, reason);
    this.probeDomains(t, ok, startedMs);
  }

  /** Probes the chain's identity and records it; returns why the upstream fails the check, if it does. */
  private async checkIdentity(t: Track): Promise<string | undefined> {
    const { chain, upstream } = t;
    const probes = chain.family.probes;
    const r = await probeFamily(upstream, chain.family, probes.identity, chain.settings.health.timeoutMs);
    const id = r.ok ? probes.readIdentity(r.answer) : undefined;
    this.observer.healthCheck(chain.name, upstream.name, probes.identity.method, id !== undefined);
    if (!r.ok) return r.reason;
    // Warming up, initial download: the node says so instead of an identity; not a wrong chain.
    if ('error' in r.answer) return `${probes.identity.method}: ${r.answer.error.message.slice(0, 80)}`;
    const wrong = id !== chain.identity;
    if (wrong !== upstream.wrongChain) {
      this.logger[wrong ? 'warn' : 'info'](wrong ? 'upstream on wrong chain' : 'upstream chain id ok', {
        chain: chain.name,
        upstream: upstream.name,
        expected: chain.identity,
        reported: id ?? null,
      });
    }
    const newlyWrong = wrong && !upstream.wrongChain;
    upstream.markIdentity(id, !wrong);
    if (newlyWrong) this.observer.wrongChain?.(chain.name, upstream.name, upstream.reportedChainId);
    // Its head and sync state mean nothing for this chain: no further probes this round.
    if (!wrong) return undefined;
    return chain.family.name === 'evm'
      ? `wrong chain id ${id ?? 'unreadable'}`
      : `wrong chain: ${id ?? 'unreadable'}`;
  }

  /**
   * A check is also an outcome for the upstream's failure domains, and the probe of a half-open one: a
   * domain whose traffic moved away would otherwise wait for a live request before it could close.
   */
  private probeDomains(t: Track, ok: boolean, startedMs: number): void {
    const nowMs = Date.now();
    for (const domain of t.chain.domainsOf(t.upstream))
      domain.recordCheck(t.upstream.name, !ok, nowMs, startedMs);
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
      if (before === 'down' && upstream.health === 'up') upstream.markRecovered(Date.now());
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

function answerText(answer: { result: unknown } | { error: { message: string } }, fallback: string): string {
  return 'error' in answer ? answer.error.message.slice(0, 80) : fallback;
}
