// What a call asks the dispatcher (its options) and what it gets back (its answer): the contract between
// the engine and every stage above it.
import type { Outcome } from '../rpc/outcome.js';
import type { Upstream } from './upstream.js';

/** The answer to one call: a raw result or a raw error object, and the upstream it came from. */
export type CallAnswer =
  | {
      kind: 'result';
      raw: string;
      value: unknown;
      upstream: string;
      /** How it was verified (src/stages/verify/), for the `x-switchyard-verified` header. */
      verified?: string;
    }
  | {
      kind: 'error';
      raw: string;
      upstream: string | undefined;
      outcome?: Outcome;
      /** Refused by admission control (OVERLOADED): the client should retry after a pause. */
      overloaded?: true;
      /** An error answer the verifying quorum agreed on (a revert), as for a result. */
      verified?: string;
    };

export interface DispatchOptions {
  deadlineAtMs: number;
  /** Only these upstreams may be used (sticky filters, broadcasts); all of the chain's by default. */
  restrictTo?: ReadonlySet<Upstream> | undefined;
  /** Overrides the method's own hedge rule (a transaction broadcast never hedges). */
  hedge?: boolean;
  /**
   * Rejects a result that is valid but not good enough (a block the client has seen answered as null
   * by a lagging upstream): the next upstream is tried; when none is left the last result stands.
   */
  accept?: (value: unknown, upstream: Upstream) => boolean;
  /** Prefer upstreams whose last known head is at least this block (consistent reads); a preference only. */
  minHead?: number;
}
