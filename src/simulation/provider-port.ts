// A fake provider's real TCP port: tracks the client sockets, and closes while a refuse fault is active
// (clients see ECONNREFUSED), listening again when it ends; flapping refusals open and close it on time.

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class ProviderPort {
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;
  /** Whether the active fault refuses connections right now. */
  private readonly refusing: () => boolean;
  private readonly sockets = new Set<Socket>();
  private listening = true;
  private closed = false;
  // Serializes close/re-listen of the port so flapping timers and setFault never race.
  private portOps: Promise<void> = Promise.resolve();
  private flapTimer: NodeJS.Timeout | undefined;

  /** `server` is already listening on host:port. */
  constructor(server: Server, host: string, port: number, refusing: () => boolean) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.refusing = refusing;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Client connections open right now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /**
   * Follows a new fault set at `faultSetAt` (performance.now()): stops the old flapping, starts the new
   * one (`periods` from refuseFlapPeriods; none for a steady fault), and opens or closes the port to match.
   */
  follow(periods: number[], faultSetAt: number): Promise<void> {
    this.stopFlapping();
    if (periods.length > 0) this.scheduleFlap(periods, faultSetAt);
    return this.syncListening();
  }

  stopFlapping(): void {
    if (this.flapTimer) clearTimeout(this.flapTimer);
    this.flapTimer = undefined;
  }

  /** Closes the port for good once the pending opens and closes are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopFlapping();
    await this.portOps.catch(() => {});
    if (this.listening) await this.unlisten();
  }

  /**
   * A flapping refusal opens and closes the real port at each period boundary. Timers may fire a little
   * before performance.now() reaches the boundary, so each firing re-aims at the next boundary (+1 ms)
   * instead of trusting a fixed interval. A failed re-listen (port taken meanwhile) leaves the provider
   * refusing, which is what a client would see anyway.
   */
  private scheduleFlap(periods: number[], faultSetAt: number): void {
    const elapsed = performance.now() - faultSetAt;
    let next = Number.POSITIVE_INFINITY;
    for (const period of periods) next = Math.min(next, (Math.floor(elapsed / period) + 1) * period);
    this.flapTimer = setTimeout(
      () => {
        void this.syncListening().catch(() => {});
        this.scheduleFlap(periods, faultSetAt);
      },
      next - elapsed + 1,
    );
    this.flapTimer.unref();
  }

  private syncListening(): Promise<void> {
    const op = this.portOps.then(() => {
      if (this.closed) return;
      const want = !this.refusing();
      if (want && !this.listening) return this.relisten();
      if (!want && this.listening) return this.unlisten();
      return undefined;
    });
    this.portOps = op.catch(() => {});
    return op;
  }

  private unlisten(): Promise<void> {
    this.listening = false;
    return new Promise((resolve) => {
      // The extra turn lets in-process clients see the FIN of their pooled sockets before the caller's
      // next request, so "refused" reliably means ECONNREFUSED rather than a closed pooled socket.
      this.server.close(() => setImmediate(resolve));
      // close() waits for open connections; hung and keep-alive ones must go now.
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  private relisten(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve();
      });
    });
  }
}
