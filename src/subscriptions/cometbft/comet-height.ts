// One committed CometBFT height as the feed delivers it, in CometBFT 0.38's event shapes: NewBlock
// (`{block, block_id, result_finalize_block}`), NewBlockHeader (`{header}`) and one Tx per transaction
// (`{TxResult: {height, index, tx, result}}`), each with the composite keys a node publishes it with
// (types/event_bus.go). A 0.38 NewBlock carries every transaction's result, so the Tx events of a
// height come from its NewBlock (pushed by an upstream, or rebuilt from `block` + `block_results`, or
// from `block` + `tx_search` results when no upstream serves block_results).
import { base64ToBytes } from '../../families/bytes.js';
import { cometbftTxHash, readCometbftHeight } from '../../families/cometbft/index.js';
import { isRecord } from '../../families/params.js';
import type { CometEvents, CometEventType } from './comet-query.js';

export interface CometEvent {
  readonly type: CometEventType;
  /** `data.value` as JSON text. */
  readonly valueJson: string;
  readonly events: CometEvents;
}

export interface CometHeight {
  readonly height: number;
  readonly hash: string;
  /** NewBlock, NewBlockHeader, then each Tx in block order: the order a node publishes them in. */
  readonly events: readonly CometEvent[];
}

interface AbciEvent {
  type?: unknown;
  attributes?: unknown;
}

/** "{type}.{key}" → values, as validateAndStringifyEvents builds it; empty types and keys skipped. */
function compositeKeys(events: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!Array.isArray(events)) return out;
  for (const event of events as AbciEvent[]) {
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '') continue;
    if (!Array.isArray(event.attributes)) continue;
    for (const attr of event.attributes) {
      if (!isRecord(attr) || typeof attr.key !== 'string' || attr.key === '') continue;
      withKey(out, `${event.type}.${attr.key}`, typeof attr.value === 'string' ? attr.value : '');
    }
  }
  return out;
}

function withKey(events: Record<string, string[]>, key: string, value: string): Record<string, string[]> {
  const values = events[key];
  if (values) values.push(value);
  else events[key] = [value];
  return events;
}

/**
 * The height from a NewBlock event's `data.value`, or undefined when it is not a well-formed one of
 * `expectedHeight` (any height when undefined).
 */
export function heightFromNewBlock(value: unknown, expectedHeight?: number): CometHeight | undefined {
  if (!isRecord(value) || !isRecord(value.block) || !isRecord(value.block.header)) return undefined;
  const height = readCometbftHeight(value.block.header.height);
  if (height === undefined || (expectedHeight !== undefined && height !== expectedHeight)) return undefined;
  const data = value.block.data;
  const txs = isRecord(data) && Array.isArray(data.txs) ? data.txs : [];
  if (!txs.every((t) => typeof t === 'string')) return undefined;
  const finalize = isRecord(value.result_finalize_block) ? value.result_finalize_block : {};
  const results = Array.isArray(finalize.tx_results) ? finalize.tx_results : [];
  if (results.length !== txs.length) return undefined;
  const hash = isRecord(value.block_id) && typeof value.block_id.hash === 'string' ? value.block_id.hash : '';
  const newBlock: CometEvent = {
    type: 'NewBlock',
    valueJson: JSON.stringify({
      block: value.block,
      block_id: value.block_id,
      result_finalize_block: value.result_finalize_block ?? {},
    }),
    events: withKey(compositeKeys(finalize.events), 'tm.event', 'NewBlock'),
  };
  const header: CometEvent = {
    type: 'NewBlockHeader',
    valueJson: JSON.stringify({ header: value.block.header }),
    events: { 'tm.event': ['NewBlockHeader'] },
  };
  const txEvents = (txs as string[]).map((tx, index): CometEvent => {
    const result = isRecord(results[index]) ? results[index] : {};
    const events = withKey(compositeKeys(result.events), 'tm.event', 'Tx');
    const bytes = base64ToBytes(tx);
    if (bytes) withKey(events, 'tx.hash', cometbftTxHash(bytes));
    withKey(events, 'tx.height', String(height));
    return {
      type: 'Tx',
      valueJson: JSON.stringify({ TxResult: { height: String(height), index, tx, result } }),
      events,
    };
  });
  return { height, hash, events: [newBlock, header, ...txEvents] };
}

/**
 * The NewBlock value of a height rebuilt from `block` and `block_results` answers (a backfill), as
 * the node had published it: `result_finalize_block` is block_results' fields under their
 * FinalizeBlock names, empty lists left out as a node's JSON leaves them out.
 */
export function newBlockFromResults(block: unknown, results: unknown): unknown {
  if (!isRecord(block) || !isRecord(results)) return undefined;
  const finalize: Record<string, unknown> = {};
  const put = (name: string, v: unknown) => {
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) finalize[name] = v;
  };
  put('events', results.finalize_block_events);
  put('tx_results', results.txs_results);
  put('validator_updates', results.validator_updates);
  put('consensus_param_updates', results.consensus_param_updates);
  put('app_hash', results.app_hash);
  return { block: block.block, block_id: block.block_id, result_finalize_block: finalize };
}
