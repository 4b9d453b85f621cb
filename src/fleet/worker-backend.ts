// A cluster worker's link to the others when no Redis is configured: events and store calls go to the
// primary over the IPC channel (primary-hub.ts relays events and keeps the store). Calls are bounded
// like Redis calls; the link is "connected" while the IPC channel is.

import type { Cordon } from '../cordons/cordon-request.js';
import { bounded, type FleetBackend, STORE_TIMEOUT_MS } from './backend.js';
import { isFleetIpc, type PrimaryToWorker, type StoreOp, type WorkerToPrimary } from './ipc-protocol.js';
import type { Lease } from './token-lease.js';

export class WorkerBackend implements FleetBackend {
  readonly via = 'cluster primary';
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly messageListeners: ((text: string) => void)[] = [];
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];
  private nextId = 1;

  constructor() {
    process.on('message', (m: unknown) => {
      if (!isFleetIpc(m)) return;
      const msg = m as PrimaryToWorker;
      if (msg.switchyardFleet === 'message') {
        for (const listener of this.messageListeners) listener(msg.text);
        return;
      }
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.value);
      else waiter.reject(new Error(msg.error));
    });
    process.on('disconnect', () => {
      for (const listener of this.connectionListeners) listener(false);
    });
  }

  get connected(): boolean {
    return process.connected === true;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListeners.push(listener);
  }

  publish(text: string): void {
    this.send({ switchyardFleet: 'publish', text });
  }

  epoch(): Promise<string> {
    return this.call('epoch', []) as Promise<string>;
  }

  loadCordons(): Promise<Cordon[]> {
    return this.call('loadCordons', []) as Promise<Cordon[]>;
  }

  async saveCordon(cordon: Cordon): Promise<void> {
    await this.call('saveCordon', [cordon]);
  }

  async deleteCordon(target: string): Promise<void> {
    await this.call('deleteCordon', [target]);
  }

  raiseServedHead(chain: string, head: number): Promise<number> {
    return this.call('raiseServedHead', [chain, head]) as Promise<number>;
  }

  lease(key: string, ratePerSecond: number, burst: number, want: number, debt: number): Promise<Lease> {
    return this.call('lease', [key, ratePerSecond, burst, want, debt]) as Promise<Lease>;
  }

  async close(): Promise<void> {
    for (const waiter of this.pending.values()) waiter.reject(new Error('closed'));
    this.pending.clear();
  }

  private call(op: StoreOp, args: unknown[]): Promise<unknown> {
    if (!this.connected) return Promise.reject(new Error('cluster primary unreachable'));
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ switchyardFleet: 'call', id, op, args });
    return bounded(answer, STORE_TIMEOUT_MS, `cluster primary ${op}`).finally(() => this.pending.delete(id));
  }

  private send(message: WorkerToPrimary): void {
    if (this.connected) process.send!(message, undefined, undefined, () => {});
  }
}
