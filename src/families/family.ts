// What one chain family (evm, solana, bitcoin, cometbft) knows, behind one small interface: how to
// ask an upstream who it is, where its head is and whether it is ready; the facts of its methods
// (retry, hedge, write); how its nodes say "no" (error rows, first match wins); how a transaction is
// submitted and what a duplicate answer looks like. Routing, breakers and health scheduling are the
// same for every family and name no chain method: they ask the family.
import type { Outcome } from '../routing/classify.js';
import type { MethodFacts } from './evm/methods.js';

export type FamilyName = 'evm' | 'solana' | 'bitcoin' | 'cometbft';

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
  codes?: readonly number[];
  text?: RegExp;
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
  /** A live answer that shows the upstream's head (eth_blockNumber, getSlot, getblockcount). */
  liveHead(method: string, result: unknown): number | undefined;
  readonly submission: TransactionSubmission;
  /**
   * '2.0': strict JSON-RPC 2.0. 'bitcoin': Bitcoin Core before v28 answers 1.0 envelopes (`result` and
   * `error` both present, `error: null` on success, HTTP 500 with the error object on failure).
   */
  readonly envelope: '2.0' | 'bitcoin';
}
