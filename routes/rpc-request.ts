// The front half every JSON-RPC request shares, over HTTP and over a WebSocket: the chain its path names,
// and its body read in that chain family's envelope with the batch limit applied.
import type { ChainRuntime } from '../src/routing/chain.js';
import type { ErrorName } from '../src/rpc/errors.js';
import { type ParsedItem, parseRequestBody } from '../src/rpc/jsonrpc.js';
import type { Runtime } from '../src/runtime/runtime.js';

/** The calls of one request, or the catalogue error that refuses it whole. */
export type RpcRequest =
  | { kind: 'single'; item: ParsedItem }
  | { kind: 'batch'; items: ParsedItem[] }
  | { kind: 'refused'; error: ErrorName; detail: string | undefined };

/** The chain a request path names: `/` is the first chain, `/<chain>` (a trailing slash allowed) that one. */
export function chainForPath(runtime: Runtime, rpcPath: string): ChainRuntime | undefined {
  return rpcPath === '/' ? runtime.defaultChain : runtime.chains.get(rpcPath.slice(1).replace(/\/$/, ''));
}

/** WebSocket paths a family adds to its chain's: CometBFT clients append `/websocket` to the URL. */
const FAMILY_WS_SUFFIXES: readonly { suffix: string; family: string }[] = [
  { suffix: '/websocket', family: 'cometbft' },
];

/**
 * The chain path of a WebSocket upgrade, and the family its path is reserved to: `/<chain>/websocket`
 * (also `/<chain>/<api key>/websocket`, and `/websocket` for the first chain) is a CometBFT chain's.
 */
export function familyWsPath(path: string): { path: string; family: string | undefined } {
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const { suffix, family } of FAMILY_WS_SUFFIXES) {
    if (trimmed.endsWith(suffix)) return { path: trimmed.slice(0, -suffix.length) || '/', family };
  }
  return { path, family: undefined };
}

export function readRpcRequest(text: string, chain: ChainRuntime, maxBatchSize: number): RpcRequest {
  const parsed = parseRequestBody(text, chain.family.envelope);
  if (parsed.kind === 'parse_error') return { kind: 'refused', error: 'PARSE_ERROR', detail: undefined };
  if (parsed.kind === 'empty_batch') return { kind: 'refused', error: 'EMPTY_BATCH', detail: undefined };
  if (parsed.kind === 'batch' && parsed.items.length > maxBatchSize)
    return { kind: 'refused', error: 'BATCH_TOO_LARGE', detail: `limit is ${maxBatchSize} calls` };
  return parsed;
}
