// Consistent reads across failover. chain.servedHead is the highest block Switchyard has shown a
// client (eth_blockNumber, a block, a receipt or transaction with its block number). Then:
// - eth_blockNumber never goes backwards: an upstream behind servedHead is answered with servedHead;
// - `latest` reads prefer upstreams whose last known head is at least servedHead, and a `latest`
//   block older than servedHead is refused and asked elsewhere;
// - a block at or below servedHead (or named by hash) that comes back null from a lagging node is
//   asked elsewhere: a block a client has seen never comes back as null while any upstream has it.

import { blockRefOf, isLatestRead, methodFacts } from '../../families/evm/methods.js';
import type { CallAnswer, DispatchOptions } from '../../routing/call-answer.js';
import type { ChainRuntime } from '../../routing/chain.js';
import type { CallContext, CallStage } from '../call-pipeline.js';
import { dispatchCall, quantity, resultAnswer, toQuantity } from '../stage-calls.js';

/** Methods whose null answer means "no such block here" (not "no such index" or "still pending"). */
const NULL_MEANS_NO_BLOCK: ReadonlySet<string> = new Set([
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockReceipts',
  'eth_getBlockTransactionCountByNumber',
  'eth_getBlockTransactionCountByHash',
  'eth_getUncleCountByBlockNumber',
  'eth_getUncleCountByBlockHash',
]);

/** Raises servedHead: a client has now seen block n. */
export function noteServed(chain: ChainRuntime, n: number | undefined): void {
  if (n !== undefined && n > chain.servedHead) chain.servedHead = n;
}

/** Methods whose answer shows the client a block number, and the member that holds it. */
const BLOCK_MEMBER: ReadonlyMap<string, string> = new Map([
  ['eth_getBlockByNumber', 'number'],
  ['eth_getBlockByHash', 'number'],
  ['eth_getTransactionReceipt', 'blockNumber'],
  ['eth_getTransactionByHash', 'blockNumber'],
]);

/** The block number an answer shows the client, when it shows one. */
export function shownBlock(method: string, value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const member = BLOCK_MEMBER.get(method);
  return member === undefined ? undefined : quantity((value as Record<string, unknown>)[member]);
}

/**
 * Some upstream on the chain is known to have reached block n. A result check is only worth its retries
 * then: when every upstream is behind (the one at the served head went away), retrying each of them
 * would burn the retry budget the failover itself needs.
 */
function someUpstreamAt(chain: ChainRuntime, n: number): boolean {
  return chain.upstreams.some((u) => !u.wrongChain && u.head !== undefined && u.head >= n);
}

/** Selection preference and result check for one read, given the head already handed out. */
export function readOptions(chain: ChainRuntime, method: string, params: unknown): Partial<DispatchOptions> {
  const served = chain.servedHead;
  const ref = blockRefOf(method, params);
  const options: Partial<DispatchOptions> = {};
  if (isLatestRead(method, params)) {
    if (served <= 0) return options;
    options.minHead = served;
    const latestBlock =
      method === 'eth_getBlockByNumber' && ref !== undefined && 'tag' in ref && ref.tag === 'latest';
    if (latestBlock && someUpstreamAt(chain, served)) {
      options.accept = (value) => (shownBlock(method, value) ?? -1) >= served;
    }
    return options;
  }
  if (ref && 'number' in ref) {
    if (ref.number > BigInt(Number.MAX_SAFE_INTEGER)) return options;
    const n = Number(ref.number);
    options.minHead = n;
    if (n <= served && NULL_MEANS_NO_BLOCK.has(method) && someUpstreamAt(chain, n)) {
      options.accept = (value) => value !== null;
    }
  } else if (ref && 'hash' in ref && NULL_MEANS_NO_BLOCK.has(method)) {
    options.accept = (value) => value !== null;
  }
  return options;
}

export const consistentReadsStage: CallStage = (ctx, next) => {
  const { chain, call } = ctx;
  if (!methodFacts(call.method).idempotentRead) return next();
  if (call.method === 'eth_blockNumber') return servedBlockNumber(ctx);
  // The options object is this read's own: completed in place, not copied.
  const options = readOptions(chain, call.method, call.params) as DispatchOptions;
  options.deadlineAtMs = ctx.deadlineAtMs;
  const answer = ctx.runtime.dispatcher.dispatch(chain, call, options);
  // Not async, and no promise of its own for reads that show no block (balances, calls, most reads).
  if (!BLOCK_MEMBER.has(call.method)) return answer;
  return answer.then((a) => {
    if (a.kind === 'result') noteServed(chain, shownBlock(call.method, a.value));
    return a;
  });
};
consistentReadsStage.appliesTo = (_family, method) => methodFacts(method).idempotentRead;

/** eth_blockNumber never goes backwards: the highest head served (fleet-wide in fleet mode) is the floor. */
async function servedBlockNumber(ctx: CallContext): Promise<CallAnswer> {
  const { chain, call } = ctx;
  // No head preference here: the polls spread over every upstream and refresh their known heads.
  const answer = await dispatchCall(ctx, call);
  if (answer.kind !== 'result') return answer;
  const n = quantity(answer.value);
  if (n === undefined) return answer;
  let shown = Math.max(n, chain.servedHead);
  if (chain.sharedHead) shown = Math.max(shown, await chain.sharedHead(chain.name, shown));
  noteServed(chain, shown);
  return shown === n ? answer : resultAnswer(toQuantity(shown), answer.upstream);
}
