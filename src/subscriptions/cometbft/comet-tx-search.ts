// A height's transaction results from the node's tx index, for a backfill no upstream answers
// `block_results` for (a node with `discard_abci_responses`, or one that pruned them): `tx_search`
// with `tx.height=H`, ascending, 100 a page (CometBFT's most), through the dispatcher. A page is
// taken only if it is the block's own transactions at their indices, so a node whose index lags or
// differs is asked no further and the next upstream answers.
import { readCometbftHeight } from '../../families/cometbft/index.js';
import { isRecord } from '../../families/params.js';
import { type FeedContext, feedCall, fetchValue } from '../feed-fetcher.js';

/** rpc/core maxPerPage. */
const PER_PAGE = 100;

/** The page's `tx_result`s when it holds exactly the block's transactions `from`…, else undefined. */
function pageResults(
  value: unknown,
  height: number,
  txs: readonly string[],
  from: number,
): unknown[] | undefined {
  if (!isRecord(value) || !Array.isArray(value.txs)) return undefined;
  if (Number(value.total_count) !== txs.length) return undefined;
  const expected = Math.min(PER_PAGE, txs.length - from);
  if (value.txs.length !== expected) return undefined;
  const results: unknown[] = [];
  for (const [i, entry] of value.txs.entries()) {
    if (!isRecord(entry) || !isRecord(entry.tx_result)) return undefined;
    if (readCometbftHeight(entry.height) !== height || entry.index !== from + i) return undefined;
    if (entry.tx !== txs[from + i]) return undefined;
    results.push(entry.tx_result);
  }
  return results;
}

/** Each transaction's ExecTxResult in block order, or undefined when no upstream's index had them all. */
export async function txResultsBySearch(
  ctx: FeedContext,
  height: number,
  txs: readonly string[],
): Promise<unknown[] | undefined> {
  const results: unknown[] = [];
  for (let from = 0; from < txs.length; from += PER_PAGE) {
    const params = {
      query: `tx.height=${height}`,
      prove: false,
      page: String(from / PER_PAGE + 1),
      per_page: String(PER_PAGE),
      order_by: 'asc',
    };
    const valid = (v: unknown) => pageResults(v, height, txs, from) !== undefined;
    const value = await fetchValue(ctx, feedCall('tx_search', params), valid, { minHead: height });
    const page = value === undefined ? undefined : pageResults(value, height, txs, from);
    if (page === undefined) return undefined;
    results.push(...page);
  }
  return results;
}
