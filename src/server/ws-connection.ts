// One client's WebSocket: JSON-RPC frames in (single or batch, through the same call stages as HTTP,
// with the same id fidelity and error catalogue), answers and subscription notifications out. The send
// buffer is bounded: a client that does not read is closed (1008) instead of growing our memory.
import type WebSocket from 'ws';
import type { KeyEntry } from '../../routes/api-keys.js';
import type { RpcRequest } from '../../routes/rpc-request.js';
import { catalogueError, type ErrorName } from '../rpc/errors.js';
import { batchResponse, errorResponse, type ParsedItem } from '../rpc/jsonrpc.js';
import type { SubscriberSession } from '../stages/call-pipeline.js';
import type { VerifyMode } from '../stages/verify/verify-mode.js';
import type { FamilyAnswer, FamilyClient } from '../subscriptions/family-subscriptions.js';
import type { NotificationSink } from '../subscriptions/subscription.js';
import type { SubscribeOutcome } from '../subscriptions/subscription-service.js';

/** What a connection needs from the endpoint that accepted it. */
export interface ConnectionHost {
  /** The live runtime, stages and subscription service (a reload swaps the runtime under us). */
  answer(conn: ClientConnection, items: readonly ParsedItem[]): Promise<(string | undefined)[]>;
  subscribe(conn: ClientConnection, kind: string, params: readonly unknown[]): SubscribeOutcome;
  unsubscribe(conn: ClientConnection, id: string): boolean;
  /** The error object of a catalogue entry on this connection (some families take standard codes only). */
  errorObject?(conn: ClientConnection, name: ErrorName, detail?: string): string;
  /** A family's own subscription call (family-subscriptions.ts); undefined: the family has none. */
  familyCall?(
    conn: ClientConnection,
    method: string,
    params: unknown,
    id: string | undefined,
  ): FamilyAnswer | undefined;
  /** Takes one request from the connection's API key; false: over its rate limit. */
  admitFrame(conn: ClientConnection): boolean;
  /** The frame read as the HTTP body is: the chain's envelope, the batch limit. */
  readRequest(conn: ClientConnection, text: string): RpcRequest;
  sendBufferBytes(): number;
  maxPerConnection(): number;
  slowConsumer(conn: ClientConnection, bufferedBytes: number): void;
  closed(conn: ClientConnection): void;
  /** Answering a frame threw (a bug): logged by the host. */
  failed(conn: ClientConnection, err: unknown): void;
}

/** Close codes (RFC 6455 §7.4.1): what a client sees when Switchyard ends its connection. */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  restart: 1012,
} as const;

/** A closing socket that does not finish the handshake in this time is cut. */
const CLOSE_GRACE_MS = 1000;

export class ClientConnection implements NotificationSink, FamilyClient, SubscriberSession {
  readonly subscriptions = new Set<string>();
  /** Frames being answered: a drain waits for them. */
  inFlight = 0;
  /** Answered the last ping (keep-alive). */
  alive = true;
  /** The upgrade request's W3C `traceparent`, kept only with `tracing` configured. */
  traceparent: string | undefined;
  private closing = false;

  constructor(
    readonly socket: WebSocket,
    readonly chainName: string,
    readonly key: KeyEntry | undefined,
    private readonly host: ConnectionHost,
    /** The connection's `x-switchyard-verify` (src/stages/verify/); undefined: the chain's policy. */
    readonly verify?: VerifyMode,
  ) {
    socket.on('message', (data: Buffer | Buffer[] | ArrayBuffer) => void this.onFrame(frameText(data)));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => {
      this.closing = true;
      host.closed(this);
    });
    // Errors (a bad frame, a reset) are followed by 'close'; without a listener they would throw.
    socket.on('error', () => {});
  }

  get open(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  notify(text: string): void {
    this.send(text);
  }

  subscribe(kind: string, params: readonly unknown[]): SubscribeOutcome {
    if (this.subscriptions.size >= this.host.maxPerConnection()) {
      return { error: catalogueError('SUBSCRIPTION_LIMIT', `limit is ${this.host.maxPerConnection()}`) };
    }
    const outcome = this.host.subscribe(this, kind, params);
    if ('id' in outcome) this.subscriptions.add(outcome.id);
    return outcome;
  }

  unsubscribe(id: string): boolean {
    if (!this.subscriptions.delete(id)) return false;
    return this.host.unsubscribe(this, id);
  }

  familyCall(method: string, params: unknown, id: string | undefined): FamilyAnswer | undefined {
    return this.host.familyCall?.(this, method, params, id);
  }

  /** Closes with a code and reason; a client that does not complete the close handshake is cut. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private error(name: ErrorName, detail?: string): string {
    return this.host.errorObject?.(this, name, detail) ?? catalogueError(name, detail);
  }

  private send(text: string): void {
    if (!this.open) return;
    const buffered = this.socket.bufferedAmount;
    if (buffered + text.length > this.host.sendBufferBytes()) {
      this.host.slowConsumer(this, buffered);
      return;
    }
    this.socket.send(text);
  }

  private async onFrame(text: string): Promise<void> {
    this.inFlight++;
    try {
      const reply = await this.reply(text);
      if (reply !== undefined) this.send(reply);
    } catch (err) {
      // A bug of ours must not take the process down with it: the client hears of it, we log it.
      this.host.failed(this, err);
      this.send(errorResponse('null', this.error('INTERNAL')));
    } finally {
      this.inFlight--;
    }
  }

  private async reply(text: string): Promise<string | undefined> {
    const parsed = this.host.readRequest(this, text);
    if (parsed.kind === 'refused') return errorResponse('null', this.error(parsed.error, parsed.detail));
    const items = parsed.kind === 'single' ? [parsed.item] : parsed.items;
    const answers = this.host.admitFrame(this)
      ? await this.host.answer(this, items)
      : items.map((item) => rateLimited(item, (name, detail) => this.error(name, detail)));
    const parts = answers.filter((t): t is string => t !== undefined);
    if (parts.length === 0) return undefined;
    return parsed.kind === 'single' ? parts[0] : batchResponse(parts);
  }
}

/** Over the key's rate limit, every call of the frame is answered with RATE_LIMITED under its own id. */
function rateLimited(
  item: ParsedItem,
  error: (name: ErrorName, detail?: string) => string,
): string | undefined {
  if (item.kind === 'invalid') return errorResponse(item.id, error('INVALID_REQUEST', item.message));
  if (item.call.id === undefined) return undefined;
  return errorResponse(item.call.id, error('RATE_LIMITED'));
}

function frameText(data: Buffer | Buffer[] | ArrayBuffer): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
