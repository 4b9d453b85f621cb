// Builds the node:http server: routes requests to the JSON-RPC handler and the operational endpoints,
// tracks requests in flight for graceful shutdown, and swaps the runtime on reload.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiKeyGuard } from '../../routes/api-keys.js';
import { sendChainCatalogueError } from '../../routes/chain-errors.js';
import { handleHealthz, handleReadyz } from '../../routes/health.js';
import type { RouteHook, RpcGate, ServerView } from '../../routes/hooks.js';
import { answerInternalError, sendCatalogueError } from '../../routes/http-util.js';
import { handleRpc } from '../../routes/rpc.js';
import { chainForPath } from '../../routes/rpc-request.js';
import { handleStatus } from '../../routes/status.js';
import type { Config } from '../config/config.js';
import type { CordonView } from '../cordons/cordon-book.js';
import type { Logger } from '../log/logger.js';
import { nullObserver, type Observer } from '../routing/observer.js';
import { observeTraffic, TrafficMeter } from '../routing/traffic-share.js';
import { Runtime } from '../runtime/runtime.js';
import type { CallStage } from '../stages/call-pipeline.js';
import { denyListStage } from '../stages/method-deny-list.js';
import { VERSION } from '../status/version.js';
import { subscriptionStage } from '../subscriptions/subscription-stage.js';
import { Drainer } from './drain.js';
import { isOperatorPath, OpsListener } from './ops-listener.js';
import { WsEndpoint } from './ws-endpoint.js';

export interface ServerOptions {
  observer?: Observer;
  stages?: readonly CallStage[];
  routes?: readonly RouteHook[];
  gate?: RpcGate;
  /** API keys and rate limits for WebSocket upgrades and frames (the same guard as `gate`'s). */
  apiKeys?: ApiKeyGuard;
  /** Operators' cordons (src/cordons/cordon-book.ts); none by default. */
  cordons?: CordonView;
}

export class SwitchyardServer implements ServerView {
  runtime: Runtime;
  readonly http: Server;
  readonly startedAtMs = Date.now();
  /** When the config in use was loaded (start or last reload). */
  configLoadedAtMs = Date.now();
  /** Recent attempts per upstream: the traffic share shown by /status, the dashboard and /metrics. */
  readonly traffic = new TrafficMeter();
  /** Extra /status sections (fleet mode, workers): name → reader. */
  readonly statusSections = new Map<string, () => unknown>();
  readonly observer: Observer;
  /** WebSocket upgrades on the same port and paths: JSON-RPC and subscriptions. */
  readonly websocket: WsEndpoint;
  private readonly stages: readonly CallStage[];
  private readonly routes: readonly RouteHook[];
  private readonly drainer: Drainer;
  /** The operator routes' own listener (`server.opsListen`); fixed at start, as the port is. */
  private readonly ops: OpsListener | undefined;

  constructor(
    config: Config,
    readonly logger: Logger,
    private readonly options: ServerOptions = {},
  ) {
    this.observer = observeTraffic(options.observer ?? nullObserver, this.traffic);
    this.runtime = new Runtime(config, logger, this.observer, undefined, options.cordons);
    this.stages = options.stages ?? [denyListStage, subscriptionStage];
    this.routes = options.routes ?? [];
    this.http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) =>
      this.onRequest(req, res),
    );
    this.drainer = new Drainer(this.http);
    this.ops = config.server.opsListen ? new OpsListener(this, this.routes) : undefined;
    this.websocket = new WsEndpoint(this, this.stages, options.apiKeys);
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      // A WebSocket is drained by the endpoint (1001 after its frames), not cut as an idle HTTP socket.
      this.drainer.release(socket);
      this.websocket.handleUpgrade(req, socket, head);
    });
  }

  get isDraining(): boolean {
    return this.drainer.isDraining;
  }

  get requestsInFlight(): number {
    return this.drainer.inFlight;
  }

  async listen(): Promise<AddressInfo> {
    const { host, port } = this.runtime.config.server;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const opsListen = this.runtime.config.server.opsListen;
    if (this.ops && opsListen) await this.ops.listen(opsListen);
    await this.runtime.start();
    const address = this.http.address() as AddressInfo;
    this.logger.info('listening', { host: address.address, port: address.port, version: VERSION });
    return address;
  }

  /** Where the operator routes listen (`server.opsListen`), once listening; unset: on the JSON-RPC port. */
  get opsAddress(): AddressInfo | undefined {
    return this.ops?.address;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.drainer.track(req, res);
    try {
      this.route(req, res);
    } catch (err) {
      answerInternalError(this.logger, res, err);
    }
  }

  /** Synchronous up to the JSON-RPC handler, which answers by itself (no promise per request here). */
  private route(req: IncomingMessage, res: ServerResponse) {
    const runtime = this.runtime;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (this.ops !== undefined && isOperatorPath(path))
      return sendCatalogueError(res, 'NOT_FOUND', path.slice(0, 100));
    for (const hook of this.routes) if (hook(req, res, path, this)) return;
    if (req.method === 'GET') {
      if (path === '/healthz') return handleHealthz(res);
      if (path === '/readyz') return handleReadyz(runtime, res, this.isDraining);
      if (path === '/status') return handleStatus(this, runtime, res, VERSION);
    }
    let rpcPath = path;
    if (this.options.gate) {
      const admitted = this.options.gate(req, res, path, this);
      if (admitted === undefined) return;
      rpcPath = admitted;
    }
    const chain = chainForPath(runtime, rpcPath);
    if (!chain) return sendCatalogueError(res, 'NOT_FOUND', rpcPath.slice(0, 100));
    if (req.method !== 'POST')
      return sendChainCatalogueError(res, chain.family.envelope, 'METHOD_NOT_ALLOWED');
    handleRpc(runtime, this.stages, chain, req, res);
  }

  /**
   * Applies a new config: new requests use it at once, requests in flight finish on the old one.
   * Upstreams and failure domains whose setup did not change keep their breakers, health and head.
   */
  async reload(config: Config): Promise<void> {
    const old = this.runtime;
    const next = new Runtime(config, this.logger, this.observer, old, this.options.cordons);
    // One checker and one detector per upstream at a time: kept upstreams are probed by the new
    // runtime from now on.
    old.checker.stop();
    old.detector.stop();
    await next.start();
    this.runtime = next;
    this.websocket.rebind(next);
    this.configLoadedAtMs = Date.now();
    for (const chain of next.chains.values()) {
      this.traffic.retain(chain.name, new Set(chain.upstreams.map((u) => u.name)));
    }
    // Give in-flight requests on the old runtime their full deadline before closing its pools.
    setTimeout(() => void old.close(), old.config.server.requestTimeoutMs).unref();
  }

  /** Stops accepting, lets requests in flight finish within `graceMs`, then closes everything. */
  async shutdown(graceMs: number): Promise<boolean> {
    const [drained] = await Promise.all([this.drainer.drain(graceMs), this.websocket.drain(graceMs)]);
    await Promise.all([this.runtime.close(), this.ops?.close()]);
    return drained;
  }
}
