// One instance's membership in a fleet: publishes what it learns (domain and upstream breaker openings,
// wrong chains, the served head, cordons), applies what the others publish (fleet-verdicts.ts under the
// rules of verdict-guard.ts, served-heads.ts, cordon-sync.ts), and resyncs the store's state when it
// connects and every few seconds after (the fallback for messages lost while Redis was away). Nothing
// here runs on a request's path: the observer hooks only hand an event to the bus, and store calls run
// in the background.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CordonBook } from '../cordons/cordon-book.js';
import type { Logger } from '../log/logger.js';
import type { Observer } from '../routing/observer.js';
import type { SwitchyardServer } from '../server/server.js';
import type { FleetBackend } from './backend.js';
import { CordonSync } from './cordon-sync.js';
import { FleetRateLimiter } from './fleet-rate-limiter.js';
import { FleetVerdicts } from './fleet-verdicts.js';
import { decode, encode, type FleetEvent, type FleetMessage } from './messages.js';
import { ServedHeads } from './served-heads.js';

/** How often the served head of each chain is compared with what the fleet was last told. */
const HEAD_WATCH_MS = 5;
/** Full resync while connected: cordons and served heads, in case a message was lost. */
const RESYNC_MS = 5000;
/** An instance that has not reached the store by then says so (once). */
const FIRST_CONTACT_MS = 2000;

type MessageDirection = 'sent' | 'received' | 'declined' | 'withheld';

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
  private readonly verdicts: FleetVerdicts;
  private readonly servedHeads: ServedHeads;
  private readonly cordonSync: CordonSync;
  private syncing = false;
  private outageLogged = false;
  private everConnected = false;
  private lastSyncMs: number | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly backend: FleetBackend,
    cordons: CordonBook,
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
    const runtime = () => this.server?.runtime;
    const send = (event: FleetEvent) => this.send(event);
    this.verdicts = new FleetVerdicts(
      runtime,
      {
        send,
        withheld: (event) => this.counters.message(event.kind, 'withheld'),
      },
      logger,
    );
    this.servedHeads = new ServedHeads(backend, runtime, send);
    this.cordonSync = new CordonSync(backend, cordons, logger, send);
    cordons.onLocalChange = (change) => this.cordonSync.localChange(change);
    backend.onMessage((text) => this.receive(text));
    backend.onConnectionChange((connected) => this.connectionChanged(connected));
  }

  /** Wraps the server's observer: breaker openings and wrong chains found here go to the fleet. */
  observe(base: Observer): Observer {
    const observer: Observer = Object.create(base);
    observer.breakerTransition = (kind, chain, key, from, to) => {
      base.breakerTransition(kind, chain, key, from, to);
      this.verdicts.localTransition(kind, chain, key, from, to as 'closed' | 'open' | 'half_open');
    };
    observer.wrongChain = (chain, upstream, chainId) => {
      base.wrongChain?.(chain, upstream, chainId);
      this.verdicts.localWrongChain(chain, upstream, chainId);
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
    every(HEAD_WATCH_MS, () => this.servedHeads.watch());
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
    switch (m.kind) {
      case 'cordon':
      case 'uncordon':
        return this.cordonSync.adopt(m);
      case 'served_head':
        return this.servedHeads.adopt(m.chain, m.head);
      default:
        return this.verdicts.apply(m, nowMs);
    }
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
   * Brings this instance and the store in step: cordons first (cordon-sync.ts), then served heads meet
   * at the highest.
   */
  private async resync(): Promise<void> {
    if (this.syncing || !this.server) return;
    this.syncing = true;
    try {
      await this.cordonSync.resync();
      await this.servedHeads.resync(this.server.runtime);
      this.lastSyncMs = Date.now();
    } catch {
      // The next connection change or periodic resync tries again.
    } finally {
      this.syncing = false;
    }
  }
}
