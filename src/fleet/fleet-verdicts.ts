// A member's verdicts: what it publishes of what it learns (the first opening of a domain or upstream
// breaker, an upstream on the wrong chain) and how it applies what the others publish, under the rules
// of verdict-guard.ts.
import type { Logger } from '../log/logger.js';
import type { ChainRuntime } from '../routing/chain.js';
import type { Upstream } from '../routing/upstream.js';
import type { Runtime } from '../runtime/runtime.js';
import { isUsable } from '../status/status-model.js';
import type { FleetEvent, FleetMessage } from './messages.js';
import { mayPublish, VerdictGuard } from './verdict-guard.js';

type VerdictMessage = Extract<FleetMessage, { kind: 'domain_open' | 'upstream_open' | 'wrong_chain' }>;
type BreakerState = 'closed' | 'open' | 'half_open';

/** Where verdicts go: published to the fleet, or counted as withheld. */
interface VerdictOutbox {
  send(event: FleetEvent): void;
  withheld(event: FleetEvent): void;
}

export class FleetVerdicts {
  private readonly guard = new VerdictGuard();
  /** Set while a remote verdict is applied: the transitions it causes are not news to publish. */
  private applyingRemote = false;

  constructor(
    private readonly runtime: () => Runtime | undefined,
    private readonly outbox: VerdictOutbox,
    private readonly logger: Logger,
  ) {}

  // ---- what this instance learns ----

  localTransition(
    kind: 'upstream' | 'domain',
    chainName: string,
    key: string,
    from: string,
    to: BreakerState,
  ) {
    if (this.applyingRemote) return;
    const nowMs = Date.now();
    const scope = scopeOf(chainName, kind, key);
    this.guard.localTransition(scope, to, nowMs);
    // Only the first opening is news: a failed probe re-opening it is this instance's own business,
    // and every other instance probes for itself.
    if (to !== 'open' || from !== 'closed') return;
    const chain = this.runtime()?.chains.get(chainName);
    if (!chain) return;
    const event: FleetEvent =
      kind === 'domain'
        ? { kind: 'domain_open', chain: chainName, key }
        : { kind: 'upstream_open', chain: chainName, upstream: key };
    const outside = (u: Upstream) => (kind === 'domain' ? !u.domains.includes(key) : u.name !== key);
    const witnesses = chain.upstreams
      .filter(outside)
      .map((u) => ({ usable: isUsable(chain, u, nowMs), healthUp: u.health === 'up' }));
    if (!mayPublish(witnesses)) {
      this.outbox.withheld(event);
      this.logger.debug(
        'fleet: opening not published: no other upstream of the chain is reachable from here',
        {
          chain: chainName,
          [kind]: key,
        },
      );
      return;
    }
    this.outbox.send(event);
  }

  localWrongChain(chain: string, upstream: string, chainId: number | undefined): void {
    this.outbox.send({ kind: 'wrong_chain', chain, upstream, chainId: chainId ?? null });
  }

  // ---- what the others tell ----

  /** Returns false when the message was declined (unknown here, already so, or the guard said no). */
  apply(m: VerdictMessage, nowMs: number): boolean {
    const chain = this.runtime()?.chains.get(m.chain);
    if (!chain) return false;
    if (m.kind === 'domain_open') return this.applyDomainOpen(chain, m.key, m.from, nowMs);
    const upstream = chain.upstreams.find((u) => u.name === m.upstream);
    if (!upstream) return false;
    if (m.kind === 'upstream_open') return this.applyUpstreamOpen(chain, upstream, m.from, nowMs);
    if (upstream.wrongChain) return false;
    // Cleared again by this instance's next chain-id check if the upstream answers for the right chain.
    upstream.wrongChain = true;
    upstream.reportedChainId = m.chainId ?? undefined;
    upstream.lastError = 'wrong chain (seen by another fleet member)';
    this.logger.warn('upstream on wrong chain, seen by another fleet member', {
      chain: chain.name,
      upstream: upstream.name,
      reported: m.chainId,
      member: m.from,
    });
    return true;
  }

  private applyDomainOpen(chain: ChainRuntime, key: string, from: string, nowMs: number): boolean {
    const breaker = chain.domains.get(key);
    const scope = scopeOf(chain.name, 'domain', key);
    // Open: nothing to do; half-open: this instance's own probe is deciding.
    if (breaker?.stateAt(nowMs) !== 'closed' || !this.guard.accepts(scope, nowMs)) return false;
    this.applyingRemote = true;
    let openForMs: number;
    try {
      openForMs = breaker.forceOpen(nowMs);
    } finally {
      this.applyingRemote = false;
    }
    this.guard.appliedRemote(scope, nowMs, openForMs);
    this.logger.warn('failure domain opened by another fleet member', {
      chain: chain.name,
      domain: key,
      member: from,
    });
    return true;
  }

  private applyUpstreamOpen(chain: ChainRuntime, upstream: Upstream, from: string, nowMs: number): boolean {
    const scope = scopeOf(chain.name, 'upstream', upstream.name);
    if (upstream.breakerState !== 'closed' || !this.guard.accepts(scope, nowMs)) return false;
    this.applyingRemote = true;
    try {
      // opossum half-opens it after its reset timeout; this instance's next call there is the probe.
      upstream.breaker.open();
    } finally {
      this.applyingRemote = false;
    }
    this.guard.appliedRemote(scope, nowMs, chain.settings.breakers.upstream.resetTimeoutMs);
    this.logger.info('upstream breaker opened by another fleet member', {
      chain: chain.name,
      upstream: upstream.name,
      member: from,
    });
    return true;
  }
}

function scopeOf(chain: string, kind: 'upstream' | 'domain', key: string): string {
  return `${chain}\u0000${kind}\u0000${key}`;
}
