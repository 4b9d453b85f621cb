// The fleet's series on the /metrics registry: whether the shared state is reachable, the events sent,
// received, declined and withheld by kind, unreadable messages, and rate-limit decisions made on the
// local bucket alone while failing open. Labels are fixed sets.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FleetBackend } from './backend.js';
import type { FleetCounters, FleetMember } from './fleet-member.js';

export function registerFleetMetrics(registry: Registry, backend: FleetBackend, member: FleetMember): void {
  const registers = [registry];
  new Gauge({
    name: 'switchyard_fleet_connected',
    help: '1 while the fleet store (Redis, or the cluster primary for workers) is reachable; 0 while serving alone',
    registers,
    collect() {
      this.set(backend.connected ? 1 : 0);
    },
  });
  const messages = new Counter({
    name: 'switchyard_fleet_messages_total',
    help: 'Fleet events by kind and direction: sent, received (applied), declined (unknown here, already so, or guarded), withheld (not published: nothing else reachable)',
    labelNames: ['kind', 'direction'],
    registers,
  });
  const unreadable = new Counter({
    name: 'switchyard_fleet_unreadable_messages_total',
    help: 'Fleet messages ignored because they could not be read (another version, garbage)',
    registers,
  });
  new Gauge({
    name: 'switchyard_fleet_rate_limit_local_decisions',
    help: 'API-key rate-limit decisions made on the local bucket alone, while fleet-wide limits fail open (since start)',
    registers,
    collect() {
      this.set(member.limiter.localDecisions);
    },
  });
  const counters: FleetCounters = {
    message: (kind, direction) => messages.inc({ kind, direction }),
    unreadable: () => unreadable.inc(),
  };
  unreadable.inc(0);
  member.counters = counters;
}
