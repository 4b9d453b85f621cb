// The hook for subscriptions that are not EVM's (Solana PubSub, CometBFT subscribe): each family with
// subscriptions of its own has one service, found by the chain's family. The subscription stage routes
// the family's subscribe/unsubscribe calls to it over a WebSocket; the endpoint tells it of closed
// connections, reloads and drains. Adding a family is one entry in family-services.ts.
import type { FamilyName } from '../config/family-names.js';
import type { Runtime } from '../runtime/runtime.js';
import type { NotificationSink } from './subscription.js';

/** A client connection as a family service sees it. */
export interface FamilyClient extends NotificationSink {
  readonly chainName: string;
}

/** A subscribe/unsubscribe answer: a raw JSON result, or a raw JSON-RPC error object. */
export type FamilyAnswer = { result: string } | { error: string };

export interface FamilySubscriptions {
  readonly family: FamilyName;
  /** Whether the method is one of this family's subscription methods. */
  handles(method: string): boolean;
  /** `id`: the request's raw JSON id, undefined for a notification (CometBFT's notifications carry it). */
  call(client: FamilyClient, method: string, params: unknown, id: string | undefined): FamilyAnswer;
  /** The client's connection closed: every subscription of it goes. */
  dropClient(client: FamilyClient): void;
  /** A reload: feeds follow the new runtime; those of chains that are gone are closed. */
  rebind(runtime: Runtime): void;
  close(): void;
  /** The chain's feed for /status, metrics and the dashboard; undefined when it has none. */
  status(chainName: string): FamilyFeedStatus | undefined;
}

/** A family feed on /status: like the EVM feed's, with the family's own subscription kinds. */
export interface FamilyFeedStatus {
  family: FamilyName;
  active: boolean;
  /** The newest slot or height delivered. */
  head: number | null;
  subscriptions: Record<string, number>;
  /** Empty while the feed is not running. */
  sources: { upstream: string; transport: 'ws' | 'poll'; connected: boolean; lastHead: number | null }[];
}
