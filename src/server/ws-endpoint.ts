// The WebSocket endpoint: upgrades on the HTTP port and paths (`/`, `/<chain>`, `/<chain>/<api key>`),
// with the HTTP rules — API keys, `server.corsOrigins` against the Origin header (browsers do not
// apply CORS to WebSockets, so the server must), the body cap as the frame cap — plus a connection
// cap, ping/pong keep-alive and a drain that finishes frames in flight before closing with 1001.
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ApiKeyGuard, KeyEntry } from '../../routes/api-keys.js';
import { originAllowed } from '../../routes/cors.js';
import { headerText } from '../../routes/rpc.js';
import { chainForPath, familyWsPath, type RpcRequest, readRpcRequest } from '../../routes/rpc-request.js';
import type { Logger } from '../log/logger.js';
import type { Observer } from '../routing/observer.js';
import { catalogueError, ERRORS, type ErrorName } from '../rpc/errors.js';
import { errorResponse, type ParsedItem } from '../rpc/jsonrpc.js';
import { standardCatalogueError } from '../rpc/standard-error.js';
import type { Runtime } from '../runtime/runtime.js';
import { answerItems } from '../stages/call-answers.js';
import type { CallStage } from '../stages/call-pipeline.js';
import { readVerifyHeader, VERIFY_HEADER, type VerifyMode } from '../stages/verify/verify-mode.js';
import { familySubscriptionServices } from '../subscriptions/family-services.js';
import type {
  FamilyAnswer,
  FamilyFeedStatus,
  FamilySubscriptions,
} from '../subscriptions/family-subscriptions.js';
import { type SubscribeOutcome, SubscriptionService } from '../subscriptions/subscription-service.js';
import { CLOSE, ClientConnection, type ConnectionHost } from './ws-connection.js';

/** What the endpoint reads from the server (SwitchyardServer satisfies it). */
export interface EndpointSource {
  readonly runtime: Runtime;
  readonly observer: Observer;
  readonly logger: Logger;
}

const DRAIN_POLL_MS = 20;

export class WsEndpoint implements ConnectionHost {
  readonly subscriptions: SubscriptionService;
  /** Each family's own subscriptions (Solana PubSub, CometBFT): created idle, they cost nothing unused. */
  readonly families: readonly FamilySubscriptions[];
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
  });
  private readonly connections = new Set<ClientConnection>();
  private draining = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private keepAliveMs = 0;

  constructor(
    private readonly source: EndpointSource,
    private readonly stages: readonly CallStage[],
    private readonly guard: ApiKeyGuard | undefined,
  ) {
    this.subscriptions = new SubscriptionService(source.runtime, source.logger, source.observer);
    this.families = familySubscriptionServices(source.runtime, source.logger, source.observer);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The `upgrade` event of the HTTP server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const admitted = this.admit(req);
    if (typeof admitted === 'string') {
      refuse(socket, admitted);
      return;
    }
    // The frame cap follows the live config, as the body cap does for HTTP.
    this.wss.options.maxPayload = this.source.runtime.config.server.maxBodyBytes;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new ClientConnection(ws, admitted.chain, admitted.key, this, admitted.verify);
      // Frames carry no headers: every call on the connection continues the upgrade's trace.
      if (this.source.runtime.config.tracing) conn.traceparent = headerText(req.headers.traceparent);
      this.connections.add(conn);
      this.armKeepAlive();
    });
  }

  /** The chain and API key of an upgrade, or why it is refused. */
  private admit(
    req: IncomingMessage,
  ): ErrorName | { chain: string; key: KeyEntry | undefined; verify: VerifyMode | undefined } {
    const runtime = this.source.runtime;
    const config = runtime.config;
    if (this.draining) return 'SHUTTING_DOWN';
    if (!originAllowed(config.server.corsOrigins, req.headers.origin)) return 'ORIGIN_NOT_ALLOWED';
    // A family's own WebSocket path (CometBFT's `/websocket`) is the chain's path plus its suffix.
    const { path, family } = familyWsPath((req.url ?? '/').split('?')[0]!);
    let rpcPath = path;
    let key: KeyEntry | undefined;
    if (this.guard) {
      const checked = this.guard.check(runtime, req.headers, rpcPath, this.source.observer);
      if (!checked.ok) return checked.error;
      rpcPath = checked.rpcPath;
      key = checked.key;
    }
    const chain = chainForPath(runtime, rpcPath);
    if (!chain || (family !== undefined && chain.family.name !== family)) return 'NOT_FOUND';
    if (this.connections.size >= config.subscriptions.maxConnections) return 'CONNECTION_LIMIT';
    // The connection's own verification (x-switchyard-verify on the upgrade request).
    const verify = readVerifyHeader(req.headers[VERIFY_HEADER]);
    if (typeof verify === 'object') return 'INVALID_REQUEST';
    return { chain: chain.name, key, verify };
  }

  // ---- ConnectionHost ----

  async answer(conn: ClientConnection, items: readonly ParsedItem[]): Promise<(string | undefined)[]> {
    const runtime = this.source.runtime;
    const chain = runtime.chains.get(conn.chainName);
    if (!chain) return items.map(() => errorResponse('null', catalogueError('NOT_FOUND', 'chain')));
    const deadlineAtMs = Date.now() + runtime.config.server.requestTimeoutMs;
    const answers = await answerItems(
      {
        runtime,
        stages: this.stages,
        chain,
        deadlineAtMs,
        session: conn,
        traceparent: conn.traceparent,
        verify: conn.verify,
      },
      items,
    );
    return answers.map((a) => a.text);
  }

  subscribe(conn: ClientConnection, kind: string, params: readonly unknown[]): SubscribeOutcome {
    return this.subscriptions.subscribe(conn.chainName, conn, kind, params);
  }

  unsubscribe(conn: ClientConnection, id: string): boolean {
    return this.subscriptions.unsubscribe(conn.chainName, id);
  }

  /** The chain's family feed (Solana, …) for /status and metrics, when it has one. */
  familyStatus(chainName: string): FamilyFeedStatus | undefined {
    for (const family of this.families) {
      const status = family.status(chainName);
      if (status) return status;
    }
    return undefined;
  }

  /** Chains whose family has its own subscriptions (Solana, …) answer with standard codes only. */
  errorObject(conn: ClientConnection, name: ErrorName, detail?: string): string {
    const family = this.source.runtime.chains.get(conn.chainName)?.family.name;
    const standard = this.families.some((f) => f.family === family);
    return standard ? standardCatalogueError(name, detail) : catalogueError(name, detail);
  }

  familyCall(
    conn: ClientConnection,
    method: string,
    params: unknown,
    id: string | undefined,
  ): FamilyAnswer | undefined {
    const family = this.source.runtime.chains.get(conn.chainName)?.family.name;
    const service = this.families.find((f) => f.family === family && f.handles(method));
    return service?.call(conn, method, params, id);
  }

  admitFrame(conn: ClientConnection): boolean {
    return !this.guard || this.guard.take(conn.key, this.source.observer).ok;
  }

  readRequest(conn: ClientConnection, text: string): RpcRequest {
    const runtime = this.source.runtime;
    const chain = runtime.chains.get(conn.chainName);
    // The chain went away in a reload: its connections are being closed (1012).
    if (!chain) return { kind: 'refused', error: 'NOT_FOUND', detail: 'chain' };
    return readRpcRequest(text, chain, runtime.config.server.maxBatchSize);
  }

  sendBufferBytes(): number {
    return this.source.runtime.config.subscriptions.sendBufferBytes;
  }

  maxPerConnection(): number {
    return this.source.runtime.config.subscriptions.maxPerConnection;
  }

  slowConsumer(conn: ClientConnection, bufferedBytes: number): void {
    this.source.logger.warn('slow WebSocket client closed', { chain: conn.chainName, bufferedBytes });
    this.source.observer.websocketClosed?.('slow_consumer');
    conn.close(CLOSE.policy, 'send buffer full: client reads too slowly');
  }

  failed(conn: ClientConnection, err: unknown): void {
    this.source.logger.error('WebSocket frame failed inside the balancer', {
      chain: conn.chainName,
      error: String(err),
    });
  }

  closed(conn: ClientConnection): void {
    this.connections.delete(conn);
    for (const id of conn.subscriptions) this.subscriptions.unsubscribe(conn.chainName, id);
    conn.subscriptions.clear();
    for (const family of this.families) family.dropClient(conn);
    if (this.connections.size === 0) this.disarmKeepAlive();
  }

  // ---- lifecycle ----

  /** A reload: feeds follow the new runtime; clients of a chain that is gone are closed (1012). */
  rebind(runtime: Runtime): void {
    const gone = new Set(this.subscriptions.rebind(runtime));
    for (const family of this.families) family.rebind(runtime);
    for (const conn of this.connections) {
      if (gone.has(conn.chainName) || !runtime.chains.has(conn.chainName)) {
        this.source.observer.websocketClosed?.('chain_removed');
        conn.close(CLOSE.restart, 'chain removed by a config reload');
      }
    }
    if (this.keepAlive && runtime.config.subscriptions.pingIntervalMs !== this.keepAliveMs) {
      this.disarmKeepAlive();
      this.armKeepAlive();
    }
  }

  /**
   * Refuses new upgrades, waits (up to `graceMs`) for frames in flight to be answered, then closes every
   * connection with 1001 and cuts those that do not finish the close handshake.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.connections].some((c) => c.inFlight > 0)) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    for (const conn of this.connections) {
      this.source.observer.websocketClosed?.('shutdown');
      conn.close(CLOSE.goingAway, 'server shutting down');
    }
    const closeBy = Date.now() + 1000;
    while (this.connections.size > 0 && Date.now() < closeBy) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    for (const conn of this.connections) conn.socket.terminate();
    this.disarmKeepAlive();
    this.subscriptions.close();
    for (const family of this.families) family.close();
  }

  private armKeepAlive(): void {
    if (this.keepAlive) return;
    this.keepAliveMs = this.source.runtime.config.subscriptions.pingIntervalMs;
    this.keepAlive = setInterval(() => {
      for (const conn of this.connections) {
        if (!conn.alive) {
          this.source.observer.websocketClosed?.('ping_timeout');
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
    }, this.keepAliveMs);
    this.keepAlive.unref();
  }

  private disarmKeepAlive(): void {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

/** With no `server.corsOrigins`, as for HTTP, browser pages (which send Origin) are refused. */
/** Answers the upgrade request with an HTTP error and a JSON-RPC error body, then closes. */
function refuse(socket: Duplex, name: ErrorName): void {
  const body = errorResponse('null', catalogueError(name));
  const status = ERRORS[name].httpStatus;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
