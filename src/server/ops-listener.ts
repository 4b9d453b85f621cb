// `server.opsListen`: the operator routes (/status, /dashboard, /metrics, /admin/*) on a listener of
// their own, so the JSON-RPC port can face clients without showing provider names, regions and live
// state (the JSON-RPC port then answers those paths 404). /healthz and /readyz are served on both.
// The CLI's server and the library (src/library/create-switchyard.ts, which has no JSON-RPC port) both
// serve it through this class.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleHealthz, handleReadyz } from '../../routes/health.js';
import type { RouteHook, ServerView } from '../../routes/hooks.js';
import { answerInternalError, sendCatalogueError } from '../../routes/http-util.js';
import { handleStatus } from '../../routes/status.js';
import type { ListenAddress } from '../config/listen-address.js';
import type { StatusSource } from '../status/status-model.js';
import { VERSION } from '../status/version.js';

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

/** What the operator routes read: the runtime in use (read per request: a reload replaces it). */
export type OpsView = ServerView & StatusSource;

export class OpsListener {
  private readonly http: Server;

  constructor(
    private readonly view: OpsView,
    /** The extra routes (metrics, dashboard, admin); only their operator paths are served here. */
    private readonly routes: readonly RouteHook[],
  ) {
    this.http = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
      try {
        this.route(req, res);
      } catch (err) {
        answerInternalError(view.logger, res, err);
      }
    });
  }

  async listen({ host, port }: ListenAddress): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address() as AddressInfo;
    this.view.logger.info('operator routes listening', { host: address.address, port: address.port });
    return address;
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

  /** The operator routes and the probes; nothing else (no JSON-RPC). */
  private route(req: IncomingMessage, res: ServerResponse): void {
    const view = this.view;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (req.method === 'GET' && path === '/healthz') handleHealthz(res);
    else if (req.method === 'GET' && path === '/readyz') handleReadyz(view.runtime, res, view.isDraining);
    else if (!isOperatorPath(path) || !this.routes.some((hook) => hook(req, res, path, view))) {
      if (req.method === 'GET' && path === '/status') handleStatus(view, view.runtime, res, VERSION);
      else sendCatalogueError(res, 'NOT_FOUND', path.slice(0, 100));
    }
  }
}
