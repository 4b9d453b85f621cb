// `server.opsListen`: the operator routes (/status, /dashboard, /metrics, /admin/*) on a listener of
// their own, so the JSON-RPC port can face clients without showing provider names, regions and live
// state (the JSON-RPC port then answers those paths 404). /healthz and /readyz are served on both.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/listen-address.js';

/** Paths only operators need; with `server.opsListen` set they are not served on the JSON-RPC port. */
export function isOperatorPath(path: string): boolean {
  return (
    path === '/status' ||
    path === '/metrics' ||
    path === '/dashboard' ||
    path === '/dashboard/' ||
    path === '/admin' ||
    path.startsWith('/admin/')
  );
}

export class OpsListener {
  private readonly http: Server;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.http = createServer({ keepAliveTimeout: 5_000 }, handler);
  }

  async listen({ host, port }: ListenAddress): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.http.address() as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    const address = this.http.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** After the JSON-RPC port drained: probes and scrapes are short, nothing here needs a drain. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.http.listening) return resolve();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
