// Graceful drain for a node:http server with keep-alive clients. Closing a keep-alive connection while
// a client is about to reuse it resets that client's next request, so a drain never closes a busy
// or just-used connection: it stops listening, makes every answer from now on carry
// `Connection: close` (including answers to requests already in flight), closes connections only
// once they have been idle for a while, and cuts whatever is left at the deadline.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** A connection idle this long is not about to be reused by a client in a request loop. */
const IDLE_CLOSE_MS = 250;
const POLL_MS = 25;

interface Connection {
  active: number;
  idleSinceMs: number;
}

export class Drainer {
  private readonly connections = new Map<Socket, Connection>();
  private readonly live = new Set<ServerResponse>();
  private draining = false;

  constructor(private readonly http: Server) {
    http.on('connection', (socket: Socket) => {
      this.connections.set(socket, { active: 0, idleSinceMs: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.live.size;
  }

  /** The socket was upgraded (WebSocket): it is no longer an HTTP connection to drain. */
  release(socket: Socket): void {
    this.connections.delete(socket);
  }

  /** Call first thing for every request. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const conn = this.connections.get(req.socket);
    if (conn) conn.active++;
    this.live.add(res);
    if (this.draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      this.live.delete(res);
      if (conn) {
        conn.active--;
        conn.idleSinceMs = Date.now();
      }
    });
  }

  /**
   * Stops accepting and waits for requests in flight and open connections to finish, up to `graceMs`;
   * then destroys what is left. Resolves true when every request finished in time.
   */
  async drain(graceMs: number): Promise<boolean> {
    this.draining = true;
    // net.Server#close stops listening; http.Server#close would also close idle keep-alive
    // connections at once, racing clients that are reusing them.
    NetServer.prototype.close.call(this.http);
    for (const res of this.live) if (!res.headersSent) res.setHeader('connection', 'close');
    const deadline = Date.now() + graceMs;
    for (;;) {
      const now = Date.now();
      for (const [socket, conn] of this.connections) {
        if (conn.active === 0 && now - conn.idleSinceMs >= IDLE_CLOSE_MS) socket.destroy();
      }
      if (this.live.size === 0 && this.connections.size === 0) break;
      if (now >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - now))));
    }
    const drained = this.live.size === 0;
    for (const socket of this.connections.keys()) socket.destroy();
    // Releases node:http's internal timers; the listener is already closed.
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    return drained;
  }
}
