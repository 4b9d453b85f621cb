// One instance's membership in a fleet: publishes what it learns (domain and upstream breaker openings,
// wrong chains, the served head, cordons), applies what the others publish under the rules of
// verdict-guard.ts, and resyncs the store's state when it connects and every few seconds after (the
// fallback for messages lost while Redis was away). Nothing here runs on a request's path: the
// observer hooks only hand an event to the bus, and store calls run in the background.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CordonBook, CordonChange } from '../cordons/cordon-book.js';
import type { Logger } from '../log/logger.js';
import type { ChainRuntime } from '../routing/chain.js';
import type { Observer } from '../routing/observer.js';
import type { Upstream } from '../routing/upstream.js';
import type { SwitchyardServer } from '../server/server.js';
import { isUsable } from '../status/status-model.js';
import type { FleetBackend } from './backend.js';
import { FleetRateLimiter } from './fleet-rate-limiter.js';
import { decode, encode, type FleetEvent, type FleetMessage } from './messages.js';
import { mayPublish, VerdictGuard } from './verdict-guard.js';

/** eth_blockNumber waits at most this long for the fleet's served head (Redis), then answers its own. */
const SHARED_HEAD_WAIT_MS = 25;
/** How often the served head of each chain is compared with what the fleet was last told. */
const HEAD_WATCH_MS = 5;
/** Full resync while connected: cordons and served heads, in case a message was lost. */
const RESYNC_MS = 5000;
/** An instance that has not reached the store by then says so (once). */
const FIRST_CONTACT_MS = 2000;

export type MessageDirection = 'sent' | 'received' | 'declined' | 'withheld';

/** What the member counts, for /metrics (fleet-metrics.ts). */
export interface FleetCounters {
  message(kind: FleetEvent['kind'], direction: MessageDirection): void;
  unreadable(): void;
}

const NO_COUNTERS: FleetCounters = { message() {}, unreadable() {} };

export class FleetMember {
  readonly id = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  readonly limiter: FleetRateLimiter;
  counters: FleetCounters = NO_COUNTERS;
  private server: SwitchyardServer | undefined;
  private readonly guard = new VerdictGuard();
  /** Set while a remote verdict is applied: the transitions it causes are not news to publish. */
  private applyingRemote = false;
  /** Highest served head per chain the fleet was told of (or told us). */
  private readonly knownHeads = new Map<string, number>();
  /** Cordon targets changed here whose write to the store has not succeeded yet. */
  private readonly unsynced = new Set<string>();
  private epoch: string | undefined;
  private syncing = false;
  private outageLogged = false;
  private everConnected = false;
  private lastSyncMs: number | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly backend: FleetBackend,
    private readonly cordons: CordonBook,
    private readonly logger: Logger,
    private readonly fleetName: string,
  ) {
    this.limiter = new FleetRateLimiter(backend);
    this.limiter.onFailOpen = (failing) => {
      if (failing) {
        this.logger.warn(
          'fleet: rate limits fail open: each instance applies every API key limit on its own until the store answers again',
          { via: backend.via },
        );
      } else this.logger.info('fleet: rate limits are fleet-wide again', { via: backend.via });
    };
    cordons.onLocalChange = (change) => this.cordonChanged(change);
    backend.onMessage((text) => this.receive(text));
    backend.onConnectionChange((connected) => this.connectionChanged(connected));
  }

  /** Wraps the server's observer: breaker openings and wrong chains found here go to the fleet. */
  observe(base: Observer): Observer {
    const observer: Observer = Object.create(base);
    observer.breakerTransition = (kind, chain, key, from, to) => {
      base.breakerTransition(kind, chain, key, from, to);
      this.localTransition(kind, chain, key, from, to as 'closed' | 'open' | 'half_open');
    };
    observer.wrongChain = (chain, upstream, chainId) => {
      base.wrongChain?.(chain, upstream, chainId);
      this.send({ kind: 'wrong_chain', chain, upstream, chainId: chainId ?? null });
    };
    return observer;
  }

  attach(server: SwitchyardServer): void {
    this.server = server;
    server.statusSections.set('fleet', () => this.status());
    const every = (ms: number, run: () => void) => {
      const t = setInterval(run, ms);
      t.unref();
      this.timers.push(t);
    };
    every(HEAD_WATCH_MS, () => this.watchServedHeads());
    every(RESYNC_MS, () => {
      if (this.backend.connected) void this.resync();
    });
    const first = setTimeout(() => {
      if (!this.backend.connected) this.connectionChanged(false);
    }, FIRST_CONTACT_MS);
    first.unref();
    this.timers.push(first);
    if (this.backend.connected) this.connectionChanged(true);
  }

  status() {
    return {
      name: this.fleetName,
      via: this.backend.via,
      connected: this.backend.connected,
      instance: this.id,
      lastSyncAt: this.lastSyncMs === undefined ? null : new Date(this.lastSyncMs).toISOString(),
      rateLimits: this.backend.connected ? 'fleet-wide' : 'per instance (failing open: store unreachable)',
    };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.backend.close();
  }

  private send(event: FleetEvent): void {
    if (!this.backend.connected) return;
    this.backend.publish(encode(this.id, event));
    this.counters.message(event.kind, 'sent');
  }

  // ---- what this instance learns ----

  private localTransition(
    kind: 'upstream' | 'domain',
    chainName: string,
    key: string,
    from: string,
    to: 'closed' | 'open' | 'half_open',
  ) {
    if (this.applyingRemote) return;
    const nowMs = Date.now();
    const scope = scopeOf(chainName, kind, key);
    this.guard.localTransition(scope, to, nowMs);
    // Only the first opening is news: a failed probe re-opening it is this instance's own business,
    // and every other instance probes for itself.
    if (to !== 'open' || from !== 'closed') return;
    const chain = this.server?.runtime.chains.get(chainName);
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
      this.counters.message(event.kind, 'withheld');
      this.logger.debug(
        'fleet: opening not published: no other upstream of the chain is reachable from here',
        {
          chain: chainName,
          [kind]: key,
        },
      );
      return;
    }
    this.send(event);
  }

  /**
   * eth_blockNumber through the fleet: the store's served head, raised to ours first. Bounded: when
   * Redis is slow or gone the local head answers (the client sees no error, the guarantee is local).
   */
  private readonly fleetHead = async (chain: string, head: number): Promise<number> => {
    if (!this.backend.connected) return head;
    let timer: NodeJS.Timeout | undefined;
    const local = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(head), SHARED_HEAD_WAIT_MS);
    });
    const fleet = this.backend.raiseServedHead(chain, head).catch(() => head);
    const value = await Promise.race([fleet, local]);
    clearTimeout(timer);
    return value;
  };

  private watchServedHeads(): void {
    const runtime = this.server?.runtime;
    if (!runtime) return;
    for (const chain of runtime.chains.values()) {
      chain.sharedHead ??= this.fleetHead;
      const known = this.knownHeads.get(chain.name) ?? 0;
      if (chain.servedHead <= known) continue;
      this.knownHeads.set(chain.name, chain.servedHead);
      this.send({ kind: 'served_head', chain: chain.name, head: chain.servedHead });
      this.backend.raiseServedHead(chain.name, chain.servedHead).then(
        (fleetHead) => this.adoptHead(chain.name, fleetHead),
        () => {},
      );
    }
  }

  private cordonChanged(change: CordonChange): void {
    this.send(
      change.kind === 'set'
        ? { kind: 'cordon', cordon: change.cordon }
        : { kind: 'uncordon', target: change.target },
    );
    const target = change.kind === 'set' ? change.cordon.target : change.target;
    this.unsynced.add(target);
    const write =
      change.kind === 'set'
        ? this.backend.saveCordon(change.cordon)
        : this.backend.deleteCordon(change.target);
    write.then(
      () => this.unsynced.delete(target),
      () =>
        this.logger.warn(
          'fleet: cordon not written to the store yet; it applies here and is written when the store returns',
          { target },
        ),
    );
  }

  // ---- what the others tell ----

  private receive(text: string): void {
    const message = decode(text);
    if (!message) {
      this.counters.unreadable();
      return;
    }
    if (message.from === this.id) return;
    const applied = this.apply(message, Date.now());
    this.counters.message(message.kind, applied ? 'received' : 'declined');
  }

  /** Returns false when the message was declined (unknown here, already so, or the guard said no). */
  private apply(m: FleetMessage, nowMs: number): boolean {
    const runtime = this.server?.runtime;
    switch (m.kind) {
      case 'cordon':
        this.cordons.adopt({ kind: 'set', cordon: m.cordon });
        return true;
      case 'uncordon':
        this.cordons.adopt({ kind: 'removed', target: m.target });
        return true;
      case 'served_head':
        return this.adoptHead(m.chain, m.head);
    }
    const chain = runtime?.chains.get(m.chain);
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

  private adoptHead(chainName: string, head: number): boolean {
    this.knownHeads.set(chainName, Math.max(this.knownHeads.get(chainName) ?? 0, head));
    const chain = this.server?.runtime.chains.get(chainName);
    if (!chain || head <= chain.servedHead) return false;
    chain.servedHead = head;
    return true;
  }

  // ---- the store ----

  private connectionChanged(connected: boolean): void {
    if (!connected) {
      if (this.outageLogged) return;
      this.outageLogged = true;
      this.logger.warn(
        'fleet: shared state unreachable; serving on what this instance knows (verdicts and cordons not shared, rate limits per instance) until it returns',
        { fleet: this.fleetName, via: this.backend.via },
      );
      return;
    }
    if (this.outageLogged || !this.everConnected) {
      this.logger.info(
        this.everConnected ? 'fleet: shared state reachable again; resyncing' : 'fleet: connected',
        {
          fleet: this.fleetName,
          via: this.backend.via,
          instance: this.id,
        },
      );
    }
    this.outageLogged = false;
    this.everConnected = true;
    void this.resync();
  }

  /**
   * Brings this instance and the store in step. A store that lost its state (a new epoch: Redis
   * restarted empty) is refilled from here; otherwise this instance's pending writes go first, then it
   * adopts the store's cordons, and served heads meet at the highest.
   */
  private async resync(): Promise<void> {
    if (this.syncing || !this.server) return;
    this.syncing = true;
    try {
      const epoch = await this.backend.epoch();
      const wiped = this.epoch !== undefined && epoch !== this.epoch;
      this.epoch = epoch;
      const nowMs = Date.now();
      if (wiped) for (const c of this.cordons.list(nowMs)) this.unsynced.add(c.target);
      for (const target of [...this.unsynced]) {
        const cordon = this.cordons.cordonOn(target, nowMs);
        await (cordon ? this.backend.saveCordon(cordon) : this.backend.deleteCordon(target));
        this.unsynced.delete(target);
      }
      this.cordons.replaceAll(await this.backend.loadCordons());
      for (const chain of this.server.runtime.chains.values()) {
        this.adoptHead(chain.name, await this.backend.raiseServedHead(chain.name, chain.servedHead));
      }
      this.lastSyncMs = Date.now();
    } catch {
      // The next connection change or periodic resync tries again.
    } finally {
      this.syncing = false;
    }
  }
}

function scopeOf(chain: string, kind: 'upstream' | 'domain', key: string): string {
  return `${chain}\u0000${kind}\u0000${key}`;
}
