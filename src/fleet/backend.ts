// What a fleet member needs from whatever connects it to the others: Redis (redis-backend.ts), or the
// cluster primary for workers without Redis (worker-backend.ts). A pub/sub bus for events, and a small
// store for what must outlive a message: cordons, the served head per chain, rate-limit buckets.
// Every call is bounded in time and may fail; callers never put one on a request's path.
import type { Cordon } from '../cordons/cordon-request.js';
import type { LeaseSource } from './fleet-rate-limiter.js';

/** Redis calls give up after this long: a slow store must not hold anything up. */
export const STORE_TIMEOUT_MS = 250;

export interface FleetBackend extends LeaseSource {
  /** What connects this member, for /status: "redis" or "cluster primary". */
  readonly via: string;
  /** The shared state is reachable right now. */
  readonly connected: boolean;
  /** Told on every change of `connected`. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  /** Sends an encoded event to the other members; fire and forget (dropped while disconnected). */
  publish(text: string): void;
  onMessage(listener: (text: string) => void): void;
  /** An id of the store's contents: it changes when the store lost its state (a Redis restart). */
  epoch(): Promise<string>;
  loadCordons(): Promise<Cordon[]>;
  saveCordon(cordon: Cordon): Promise<void>;
  deleteCordon(target: string): Promise<void>;
  /** Raises the fleet's served head of `chain` to at least `head`; resolves with the fleet's value. */
  raiseServedHead(chain: string, head: number): Promise<number>;
  close(): Promise<void>;
}

/** Rejects after `ms` unless `promise` settled first. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
