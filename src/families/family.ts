// What one chain family (evm, solana, bitcoin, cometbft) knows, behind one small interface: how to
// ask an upstream who it is, where its head is and whether it is ready; the facts of its methods
// (retry, hedge, write); how its nodes say "no" (error rows, first match wins); how a transaction is
// submitted and what a duplicate answer looks like. Routing, breakers and health scheduling are the
// same for every family and name no chain method: they ask the family.
import type { FamilyName } from '../config/family-names.js';
import { parseUpstreamReply, type UpstreamReply } from '../rpc/jsonrpc.js';
import type { Outcome } from '../rpc/outcome.js';

/**
 * What the dispatcher may do with a call (retry, hedge, pin to one upstream) and which block it reads:
 * EVM-shaped, and every family's method table is read into it (src/families/method-catalogue.ts).
 */
export interface MethodFacts {
  /** Same request to another upstream gives the same answer and has no side effect: retry/hedge freely. */
  idempotentRead: boolean;
  /** Hedging allowed (false for writes, filters, subscriptions, and very expensive traces). */
  hedge: boolean;
  /** A write whose resend is dangerous once bytes reached an upstream (eth_sendRawTransaction, eth_sendTransaction). */
  write: boolean;
  /** Filter methods that must stay on the upstream that created the filter. */
  sticky: 'create-filter' | 'use-filter' | undefined;
  /**
   * Reads or replays account state at its block (balances, code, storage, calls, traces): for an old
   * block only an archive node can answer. Block, receipt and log lookups are not state reads.
   */
  state: boolean;
  /**
   * Index in params of the block tag/number/hash or EIP-1898 block object, when the method has one.
   * Undefined for filter objects (eth_getLogs, trace_filter): their block range is inside params[0].
   */
  blockParam: number | undefined;
}

/** A method no table lists: treated with care (no retry after sending, no hedge). */
export const UNKNOWN_FACTS: MethodFacts = Object.freeze({
  idempotentRead: false,
  hedge: false,
  write: false,
  sticky: undefined,
  state: false,
  blockParam: undefined,
});

/** A reply as its family reads it, and the HTTP status that means (Bitcoin Core's 1.0 errors come with 500). */
export interface FamilyReply {
  reply: UpstreamReply;
  status: number;
}

/** JSON-RPC 2.0 as it is: the envelope of every family but Bitcoin's. */
export const readJsonRpcReply = (body: string, status: number): FamilyReply => ({
  reply: parseUpstreamReply(body),
  status,
});

/** One JSON-RPC call a probe sends. */
export interface ProbeCall {
  method: string;
  params: unknown[] | Record<string, unknown>;
}

/** A JSON-RPC error object as a family reads it. */
export interface RpcErrorFields {
  code: number | undefined;
  message: string;
  data?: unknown;
}

/** What a probe got back: a result, or the node's error object. */
export type ProbeAnswer = { result: unknown } | { error: RpcErrorFields };

export interface Readiness {
  ready: boolean;
  /** Why not ready, shown as the upstream's last error ("initial block download", "behind by 120 slots"). */
  reason?: string;
}

export interface FamilyProbes {
  identity: ProbeCall;
  /** The identity the upstream reports, comparable with the chain's configured one; undefined: unreadable. */
  readIdentity(answer: ProbeAnswer): string | undefined;
  head: ProbeCall;
  /** The head height (block number, slot, block count); undefined: unreadable. */
  readHead(answer: ProbeAnswer): number | undefined;
  /** Readiness (syncing, warming up, catching up, behind), when the head alone does not tell it. */
  readiness?: ProbeCall;
  readReadiness?(answer: ProbeAnswer): Readiness;
}

/** An error row: (code, message) -> outcome, as src/families/evm/provider-quirks.ts rows are for EVM. */
export interface ErrorRow {
  outcome: Outcome;
  /** JSON-RPC error codes this row applies to; any code when absent. */
  codes?: readonly number[];
  /** Matched against the error message followed by `data` when data is a string; any text when absent. */
  text?: RegExp;
  /** Methods this row applies to; every method when absent. */
  methods?: ReadonlySet<string>;
  /** Who answers this way (the real message shape): for the reader, not used at runtime. */
  seen: string;
}

export interface TransactionSubmission {
  /** Methods that submit a transaction: broadcast to several failure domains, never blindly resent. */
  methods: ReadonlySet<string>;
  /** The node already has this transaction (mempool, cache, chain): the submission succeeded. */
  isDuplicate(method: string, error: RpcErrorFields): boolean;
  /** The transaction id to answer a duplicate with, computed from the request when the family can. */
  transactionId(method: string, params: unknown): string | undefined;
  /** The result a successful submission of that id answers with (default: the id itself). */
  duplicateResult?(id: string): unknown;
}

export interface ChainFamily {
  readonly name: FamilyName;
  readonly probes: FamilyProbes;
  methodFacts(method: string): MethodFacts;
  /** Bounded metrics label: known methods as themselves, anything else 'other'. */
  methodLabel(method: string): string;
  /** A read whose answer follows the head: a lagging upstream must not answer it. */
  isLatestRead(method: string, params: unknown): boolean;
  /** First match wins; no match falls back to the generic rules (HTTP status, transport). */
  readonly errorRows: readonly ErrorRow[];
  /** Reads a reply body in the family's envelope. */
  readReply(body: string, status: number): FamilyReply;
  /** What a body that is no JSON-RPC reply says about itself (a rate-limit page), when the family knows. */
  matchBodyQuirk?(body: string): { outcome: Outcome } | undefined;
  /** A live answer that shows the upstream's head (eth_blockNumber, getSlot, getblockcount). */
  liveHead(method: string, result: unknown): number | undefined;
  readonly submission: TransactionSubmission;
  /**
   * '2.0': strict JSON-RPC 2.0. 'bitcoin': Bitcoin Core before v28 answers 1.0 envelopes (`result` and
   * `error` both present, `error: null` on success, HTTP 500 with the error object on failure).
   */
  readonly envelope: '2.0' | 'bitcoin';
}
