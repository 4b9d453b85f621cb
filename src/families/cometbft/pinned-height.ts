// CometBFT reads that default to the latest height (no `height`, or 0) answer differently on honest
// nodes one block apart. Naming the height makes them answer alike: a node not there yet refuses
// ("height H must be less than or equal to the current blockchain height").
import { isAbsent, isRecord } from '../params.js';

/** Where each method takes its height: positional index and name (abci_query: path, data, height, prove). */
const HEIGHT_PARAM: ReadonlyMap<string, number> = new Map([
  ['abci_query', 2],
  ['block', 0],
  ['block_results', 0],
  ['commit', 0],
  ['consensus_params', 0],
  ['header', 0],
  ['validators', 0],
]);

/**
 * How far below the head to pin: the commit of the latest block is not canonical until the next one
 * (`canonical: false`, and its signatures are the node's own), one block earlier it is the same on all.
 */
export function heightBelowHead(method: string): number {
  return method === 'commit' ? 1 : 0;
}

/**
 * The params with the latest height replaced by `height` (a decimal string, as CometBFT reads int64),
 * named or positional as the caller sent them; undefined when the method takes no height or the
 * caller named one already.
 */
export function withHeight(method: string, params: unknown, height: number): unknown | undefined {
  const index = HEIGHT_PARAM.get(method);
  if (index === undefined || height < 1) return undefined;
  const value = String(height);
  if (isAbsent(params)) return index === 0 ? { height: value } : undefined;
  if (Array.isArray(params)) {
    if (params.length < index || !isLatest(params[index])) return undefined;
    const out = [...params];
    out[index] = value;
    return out;
  }
  if (!isRecord(params) || !isLatest(params.height)) return undefined;
  return { ...params, height: value };
}

function isLatest(height: unknown): boolean {
  return isAbsent(height) || height === '0' || height === 0;
}
