// What a Solana feed reads over HTTP: re-reads after a failover and polling where no PubSub socket is
// up. Through the dispatcher like any client call, so failover, hedging, breakers and failure domains
// apply; a read no upstream could answer is undefined and tried again on the next tick.
import type { RpcCall } from '../../rpc/jsonrpc.js';
import type { FeedContext } from '../feed-fetcher.js';
import { rawAt, rawElements } from './raw-result.js';
import type { Commitment } from './solana-requests.js';

export interface SolanaReads {
  /** The slot at a commitment. */
  slot(commitment: Commitment): Promise<number | undefined>;
  /** A read with a context ({context, value}), raw; `minContextSlot` keeps it from going backwards. */
  withContext(method: string, params: unknown[]): Promise<string | undefined>;
  /** getProgramAccounts with context: the raw result. */
  programAccounts(program: string, config: Record<string, unknown>): Promise<string | undefined>;
  /** getBlock with full transaction details; null: no block in that slot (skipped). */
  block(slot: number, commitment: Commitment): Promise<string | null | undefined>;
}

/** agave errors that mean "no block in this slot", not "ask again". */
const SKIPPED_CODES = new Set([-32007, -32009]);

function call(method: string, params: unknown[]): RpcCall {
  return { id: '0', method, params, paramsRaw: JSON.stringify(params) };
}

export function dispatcherReads(context: () => FeedContext): SolanaReads {
  async function read(method: string, params: unknown[], valid: (raw: string) => boolean) {
    const ctx = context();
    const deadlineAtMs = Date.now() + ctx.chain.settings.server.requestTimeoutMs;
    const answer = await ctx.dispatcher.dispatch(ctx.chain, call(method, params), {
      deadlineAtMs,
      accept: (value) => valid(JSON.stringify(value)),
    });
    return answer;
  }
  return {
    async slot(commitment) {
      const answer = await read('getSlot', [{ commitment }], (raw) => Number.isSafeInteger(Number(raw)));
      return answer.kind === 'result' && typeof answer.value === 'number' ? answer.value : undefined;
    },
    async withContext(method, params) {
      const answer = await read(method, params, (raw) => rawAt(raw, ['context', 'slot']) !== undefined);
      return answer.kind === 'result' && rawAt(answer.raw, ['context', 'slot']) ? answer.raw : undefined;
    },
    async programAccounts(program, config) {
      const params = [program, { ...config, withContext: true }];
      const valid = (raw: string) => rawElements(rawAt(raw, ['value']) ?? '') !== undefined;
      const answer = await read('getProgramAccounts', params, valid);
      return answer.kind === 'result' && valid(answer.raw) ? answer.raw : undefined;
    },
    async block(slot, commitment) {
      const config = {
        commitment: commitment === 'processed' ? 'confirmed' : commitment,
        encoding: 'json',
        transactionDetails: 'full',
        maxSupportedTransactionVersion: 0,
        rewards: false,
      };
      const answer = await read(
        'getBlock',
        [slot, config],
        (raw) => rawAt(raw, ['transactions']) !== undefined,
      );
      if (answer.kind === 'result') return rawAt(answer.raw, ['transactions']) ? answer.raw : undefined;
      const code = (JSON.parse(answer.raw) as { code?: unknown }).code;
      return typeof code === 'number' && SKIPPED_CODES.has(code) ? null : undefined;
    },
  };
}
