// A fake CometBFT node's transaction index (v0.38, rpc/core/tx.go): each committed transaction's
// result (ExecTxResult with the events a bank send emits), `tx` by hash and `tx_search` by query
// (conditions on tx.height, tx.hash and event attributes, as the kv indexer answers them), in the
// answer shapes of rpc/core/types ResultTx and ResultTxSearch. Proofs are not built (`prove` is read
// and ignored).
import { base64ToBytes } from '../families/bytes.js';
import { cometbftTxHash } from '../families/cometbft/index.js';
import { parseCometQuery, queryMatches } from '../subscriptions/cometbft/comet-query.js';
import type { RpcOutcome } from './rpc-envelope.js';
import { sha256Hex } from './sim-hex.js';

export interface IndexedTx {
  height: number;
  tx: string;
}

export interface AbciEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

/** A successful DeliverTx/ExecTxResult, as tx, tx_search and broadcast_tx_commit show it. */
const EXEC_TX_RESULT = {
  code: 0,
  data: null,
  log: '',
  info: '',
  gas_wanted: '200000',
  gas_used: '81234',
  codespace: '',
};

/**
 * A transaction's result with the events a bank send emits. A transaction whose bytes read
 * `send:<recipient>:<amount>` sends there (tests filter on transfer.recipient); others to a made-up one.
 */
export function txResult(tx: string): typeof EXEC_TX_RESULT & { events: AbciEvent[] } {
  const text = Buffer.from(tx, 'base64').toString('utf8');
  const m = /^send:([a-z0-9]+):(\d+)$/.exec(text);
  const recipient = m?.[1] ?? `cosmos1${sha256Hex(tx).slice(0, 38)}`;
  const amount = `${m?.[2] ?? '1'}uatom`;
  const attr = (key: string, value: string) => ({ key, value, index: true });
  return {
    ...EXEC_TX_RESULT,
    events: [
      {
        type: 'message',
        attributes: [attr('action', '/cosmos.bank.v1beta1.MsgSend'), attr('module', 'bank')],
      },
      { type: 'transfer', attributes: [attr('recipient', recipient), attr('amount', amount)] },
    ],
  };
}

/** "{type}.{key}" → values of ABCI events, plus `extra` keys (tm.event, tx.hash, tx.height). */
export function keysOf(
  events: readonly AbciEvent[],
  extra: Record<string, string>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (key: string, value: string) => {
    out[key] = [...(out[key] ?? []), value];
  };
  for (const e of events) for (const a of e.attributes) add(`${e.type}.${a.key}`, a.value);
  for (const [k, v] of Object.entries(extra)) add(k, v);
  return out;
}

export function txHashOf(tx: string): string {
  return cometbftTxHash(base64ToBytes(tx) ?? new Uint8Array());
}

/** rpc/core/types ResultTx: height an int64 (a string), index a uint32 (a number), no proof. */
export function resultTx(found: IndexedTx, index: number): unknown {
  return {
    hash: txHashOf(found.tx),
    height: String(found.height),
    index,
    tx_result: txResult(found.tx),
    tx: found.tx,
  };
}

function internal(data: string): RpcOutcome {
  return { error: { code: -32603, message: 'Internal error', data } };
}

function invalidParams(data: string): RpcOutcome {
  return { error: { code: -32602, message: 'Invalid params', data } };
}

function named(params: unknown, name: string, index: number): unknown {
  if (Array.isArray(params)) return params[index];
  return typeof params === 'object' && params !== null
    ? (params as Record<string, unknown>)[name]
    : undefined;
}

/** An optional *int param: cmtjson takes 64-bit integers only as decimal strings. */
function intParam(params: unknown, name: string, index: number): number | undefined | RpcOutcome {
  const value = named(params, name, index);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value))
    return invalidParams(
      `error converting json params to arguments: invalid 64-bit integer encoding ${JSON.stringify(JSON.stringify(value))}, expected string`,
    );
  return Number(value);
}

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

/**
 * `tx_search` over the committed transactions `indexed` (up to the node's tip, in commit order):
 * matches sorted by height then index (`order_by` asc, the default, or desc), paginated like
 * rpc/core (per_page 30 by default, at most 100; a page beyond the last refused).
 */
export function txSearch(indexed: readonly IndexedTx[], params: unknown): RpcOutcome {
  const query = named(params, 'query', 0);
  if (typeof query !== 'string') return invalidParams('error converting json params to arguments');
  const parsed = parseCometQuery(query);
  if ('error' in parsed) return internal(parsed.error);
  const page = intParam(params, 'page', 2);
  const perPageAsked = intParam(params, 'per_page', 3);
  if (typeof page === 'object') return page;
  if (typeof perPageAsked === 'object') return perPageAsked;
  const orderBy = named(params, 'order_by', 4) ?? '';
  if (orderBy !== '' && orderBy !== 'asc' && orderBy !== 'desc')
    return internal('expected order_by to be either `asc` or `desc` or empty');

  const indexOf = new Map<IndexedTx, number>();
  const perHeight = new Map<number, number>();
  for (const t of indexed) {
    const i = perHeight.get(t.height) ?? 0;
    indexOf.set(t, i);
    perHeight.set(t.height, i + 1);
  }
  const matches = indexed.filter((t) =>
    queryMatches(
      parsed,
      keysOf(txResult(t.tx).events, { 'tx.hash': txHashOf(t.tx), 'tx.height': String(t.height) }),
    ),
  );
  const sign = orderBy === 'desc' ? -1 : 1;
  matches.sort((a, b) => sign * (a.height - b.height || indexOf.get(a)! - indexOf.get(b)!));

  const perPage =
    perPageAsked === undefined || perPageAsked < 1 ? DEFAULT_PER_PAGE : Math.min(perPageAsked, MAX_PER_PAGE);
  const pages = Math.max(1, Math.floor((matches.length - 1) / perPage) + 1);
  if (page !== undefined && (page < 1 || page > pages))
    return internal(`page should be within [1, ${pages}] range, given ${page}`);
  const skip = ((page ?? 1) - 1) * perPage;
  const txs = matches.slice(skip, skip + perPage).map((t) => resultTx(t, indexOf.get(t)!));
  // total_count is a Go int: cmtjson writes it as a string.
  return { result: { txs, total_count: String(matches.length) } };
}
