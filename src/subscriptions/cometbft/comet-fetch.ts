// What the CometBFT feed reads over HTTP through the dispatcher (failover, breakers and failure domains
// apply as for any call): a missed height rebuilt from `block` + `block_results` (a backfill), and one
// upstream's latest height from `status` (a poll of an upstream without a live WebSocket feed).
import { readCometbftHeight } from '../../families/cometbft/index.js';
import { isRecord } from '../../families/params.js';
import type { Upstream } from '../../routing/upstream.js';
import { type FeedContext, feedCall, fetchValue } from '../feed-fetcher.js';
import { type CometHeight, heightFromNewBlock, newBlockFromResults } from './comet-height.js';

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

function txCountOf(value: unknown): number {
  if (!isRecord(value) || !isRecord(value.block) || !isRecord(value.block.data)) return 0;
  return Array.isArray(value.block.data.txs) ? value.block.data.txs.length : 0;
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
      const txCount = txCountOf(block);
      // Results of another height, or with a transaction missing, are asked of the next upstream.
      const results = await fetchValue(
        ctx,
        feedCall('block_results', params),
        (v) =>
          isRecord(v) &&
          readCometbftHeight(v.height) === height &&
          (Array.isArray(v.txs_results) ? v.txs_results.length : 0) === txCount,
        { minHead: height },
      );
      if (results === undefined) return undefined;
      return heightFromNewBlock(newBlockFromResults(block, results), height);
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
