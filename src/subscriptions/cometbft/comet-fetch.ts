// What the CometBFT feed reads over HTTP through the dispatcher (failover, breakers and failure domains
// apply as for any call): a missed height rebuilt from `block` + `block_results` (a backfill), or from
// `block` + `tx_search` by height when no upstream serves its block_results, and one upstream's latest
// height from `status` (a poll of an upstream without a live WebSocket feed).
import { readCometbftHeight } from '../../families/cometbft/index.js';
import { isRecord } from '../../families/params.js';
import type { Upstream } from '../../routing/upstream.js';
import { type FeedContext, feedCall, fetchValue } from '../feed-fetcher.js';
import { type CometHeight, heightFromNewBlock, newBlockFromResults } from './comet-height.js';
import { txResultsBySearch } from './comet-tx-search.js';

/** Everything the feed reads besides what WebSocket sources push (injectable for tests). */
export interface CometFeedData {
  /** The height's events, or undefined when no upstream had it (the feed asks again later). */
  height(height: number): Promise<CometHeight | undefined>;
  /** One upstream's latest height (a poll). */
  latestOf(upstream: Upstream): Promise<number | undefined>;
}

function blockHeightOf(value: unknown): number | undefined {
  if (!isRecord(value) || !isRecord(value.block) || !isRecord(value.block.header)) return undefined;
  return readCometbftHeight(value.block.header.height);
}

function txsOf(value: unknown): string[] {
  if (!isRecord(value) || !isRecord(value.block) || !isRecord(value.block.data)) return [];
  const txs = value.block.data.txs;
  return Array.isArray(txs) ? txs.filter((t): t is string => typeof t === 'string') : [];
}

export function dispatcherCometData(context: () => FeedContext): CometFeedData {
  return {
    async height(height) {
      const ctx = context();
      const params = { height: String(height) };
      const block = await fetchValue(ctx, feedCall('block', params), (v) => blockHeightOf(v) === height, {
        minHead: height,
      });
      if (block === undefined) return undefined;
      const txs = txsOf(block);
      // Results of another height, or with a transaction missing, are asked of the next upstream.
      const results = await fetchValue(
        ctx,
        feedCall('block_results', params),
        (v) =>
          isRecord(v) &&
          readCometbftHeight(v.height) === height &&
          (Array.isArray(v.txs_results) ? v.txs_results.length : 0) === txs.length,
        { minHead: height },
      );
      if (results !== undefined) return heightFromNewBlock(newBlockFromResults(block, results), height);
      // No upstream serves its ABCI responses (discarded or pruned): the transactions' results come
      // from the tx index; the height's FinalizeBlock events cannot be rebuilt.
      const txResults = await txResultsBySearch(ctx, height, txs);
      if (txResults === undefined) return undefined;
      return heightFromNewBlock(newBlockFromResults(block, { txs_results: txResults }), height);
    },
    async latestOf(upstream) {
      const value = await fetchValue(
        context(),
        feedCall('status', {}),
        (v) =>
          isRecord(v) &&
          isRecord(v.sync_info) &&
          readCometbftHeight(v.sync_info.latest_block_height) !== undefined,
        { restrictTo: new Set([upstream]), hedge: false },
      );
      if (!isRecord(value) || !isRecord(value.sync_info)) return undefined;
      return readCometbftHeight(value.sync_info.latest_block_height);
    },
  };
}
