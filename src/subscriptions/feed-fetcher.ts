// How the subscription feed reads blocks and logs it was not handed by a head source: through the
// dispatcher, like any client call, so failover, hedging, breakers and failure domains apply. A null
// block or a log list that cannot be right (empty although the block's bloom says it has logs) is
// asked of the next upstream; when none has it, the fetch fails and the feed tries again later.

import type { DispatchOptions } from '../routing/call-answer.js';
import type { ChainRuntime } from '../routing/chain.js';
import type { Dispatcher } from '../routing/dispatcher.js';
import type { Upstream } from '../routing/upstream.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import { type BlockHeader, headerFrom, type Log, logsOfBlock } from './block-header.js';
import type { BlockFetcher } from './canonical-chain.js';

/** The live chain and dispatcher: a reload swaps them under a running feed. */
export interface FeedContext {
  readonly chain: ChainRuntime;
  readonly dispatcher: Dispatcher;
}

/** Everything the feed reads from upstreams besides what head sources push (injectable for tests). */
export interface FeedData {
  readonly blocks: BlockFetcher;
  /** Every log of the block, or undefined when no upstream had them (the feed asks again). */
  logs(block: BlockHeader): Promise<Log[] | undefined>;
  /** The latest block of one upstream (a poll). */
  latestOf(upstream: Upstream): Promise<BlockHeader | undefined>;
}

export function dispatcherFeedData(context: () => FeedContext): FeedData {
  return {
    blocks: blockFetcher(context),
    logs: (block) => fetchBlockLogs(context(), block),
    latestOf: (upstream) => fetchLatestOf(context(), upstream),
  };
}

/** A call the feed makes itself (its id is never a client's). */
export function feedCall(method: string, params: unknown): RpcCall {
  return { id: '0', method, params, paramsRaw: JSON.stringify(params) };
}

/** One value through the dispatcher; undefined when no upstream gave one `valid` accepts. */
export async function fetchValue(
  ctx: FeedContext,
  rpc: RpcCall,
  valid: (value: unknown) => boolean,
  options: Partial<DispatchOptions> = {},
): Promise<unknown> {
  const deadlineAtMs = Date.now() + ctx.chain.settings.server.requestTimeoutMs;
  const answer = await ctx.dispatcher.dispatch(ctx.chain, rpc, {
    deadlineAtMs,
    accept: (value) => valid(value),
    ...options,
  });
  // With no upstream left, a rejected result still comes back: it is no answer here.
  if (answer.kind !== 'result' || !valid(answer.value)) return undefined;
  return answer.value;
}

function blockFetcher(context: () => FeedContext): BlockFetcher {
  return {
    async byHash(hash) {
      const value = await fetchValue(context(), feedCall('eth_getBlockByHash', [hash, false]), (v) => {
        return headerFrom(v)?.hash === hash;
      });
      return headerFrom(value);
    },
    async byNumber(n) {
      const hex = `0x${n.toString(16)}`;
      const value = await fetchValue(
        context(),
        feedCall('eth_getBlockByNumber', [hex, false]),
        (v) => headerFrom(v)?.number === n,
        { minHead: n },
      );
      return headerFrom(value);
    },
  };
}

/** Every log of one block, by its hash (a reorg cannot swap the block under the query). */
async function fetchBlockLogs(ctx: FeedContext, block: BlockHeader): Promise<Log[] | undefined> {
  const valid = (v: unknown) => {
    const logs = logsOfBlock(v, block.hash);
    return logs !== undefined && (logs.length > 0 || !block.mayHaveLogs);
  };
  const value = await fetchValue(ctx, feedCall('eth_getLogs', [{ blockHash: block.hash }]), valid, {
    minHead: block.number,
  });
  return value === undefined ? undefined : logsOfBlock(value, block.hash);
}

/** The latest block of one upstream (a poll): no failover, it is that upstream's head we want. */
async function fetchLatestOf(ctx: FeedContext, upstream: Upstream): Promise<BlockHeader | undefined> {
  const value = await fetchValue(
    ctx,
    feedCall('eth_getBlockByNumber', ['latest', false]),
    (v) => !!headerFrom(v),
    {
      restrictTo: new Set([upstream]),
      hedge: false,
    },
  );
  return headerFrom(value);
}
