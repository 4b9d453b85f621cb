// The cluster primary's side of worker-backend.ts: relays each worker's events to the other workers
// and answers store calls from one in-memory store, so workers share state as fleet members do.
import type { Worker } from 'node:cluster';
import type { Cordon } from '../cordons/cordon-request.js';
import { isFleetIpc, type PrimaryToWorker, type StoreOp, type WorkerToPrimary } from './ipc-protocol.js';
import { MemoryStore } from './memory-store.js';

export class PrimaryHub {
  private readonly store = new MemoryStore();
  private readonly workers = new Set<Worker>();

  add(worker: Worker): void {
    this.workers.add(worker);
    worker.on('message', (m: unknown) => {
      if (isFleetIpc(m)) this.handle(worker, m as WorkerToPrimary);
    });
    worker.on('exit', () => this.workers.delete(worker));
  }

  private handle(from: Worker, m: WorkerToPrimary): void {
    if (m.switchyardFleet === 'publish') {
      for (const w of this.workers) if (w !== from) send(w, { switchyardFleet: 'message', text: m.text });
      return;
    }
    if (m.switchyardFleet !== 'call') return;
    let reply: PrimaryToWorker;
    try {
      reply = { switchyardFleet: 'reply', id: m.id, ok: true, value: this.run(m.op, m.args) };
    } catch (err) {
      reply = { switchyardFleet: 'reply', id: m.id, ok: false, error: (err as Error).message };
    }
    send(from, reply);
  }

  private run(op: StoreOp, args: unknown[]) {
    const nowMs = Date.now();
    switch (op) {
      case 'epoch':
        return this.store.epoch;
      case 'loadCordons':
        return this.store.loadCordons(nowMs);
      case 'saveCordon':
        return this.store.saveCordon(args[0] as Cordon);
      case 'deleteCordon':
        return this.store.deleteCordon(String(args[0]));
      case 'raiseServedHead':
        return this.store.raiseServedHead(String(args[0]), Number(args[1]));
      case 'lease': {
        const [key, rate, burst, want, debt] = args as [string, number, number, number, number];
        return this.store.lease(key, rate, burst, want, debt, nowMs);
      }
    }
  }
}

function send(worker: Worker, message: PrimaryToWorker): void {
  if (worker.isConnected()) worker.send(message, undefined, () => {});
}
