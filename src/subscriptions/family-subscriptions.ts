// The hook a non-EVM family's subscriptions plug into the WebSocket endpoint with: the endpoint keeps
// one of these per family (by family name), hands each connection's session to that family's own call
// stage (through `SubscriberSession.familySession`), and tells it of closes, reloads and shutdown.
import type { Runtime } from '../runtime/runtime.js';
import type { NotificationSink } from './subscription.js';

/** What a family's subscriptions see of a client connection. */
export interface FamilyConnection extends NotificationSink {
  readonly chainName: string;
}

export interface FamilySubscriptions {
  /** This connection's session of the family (made on first use); the family's stage knows its type. */
  session(conn: FamilyConnection): unknown;
  /** The connection closed: its subscriptions end. */
  closed(conn: FamilyConnection): void;
  /** Follows a reloaded runtime; returns the chains that are gone (their clients are closed). */
  rebind(runtime: Runtime): string[];
  close(): void;
}
