// Chain-correctness stages (transactions, consistent reads, sticky filters, cache, log splitting),
// in the order a call meets them. Each stage lives in its own module; each handles its own methods
// and passes every other call on.
//
// 1. txBroadcastStage      eth_sendRawTransaction: multi-domain broadcast, dispatches by itself
// 2. stickyFiltersStage    filter methods: pinned to the filter's upstream, dispatches by itself
// 3. responseCacheStage    immutable answers: served from memory, identical calls coalesced
// 4. logsSplitterStage     eth_getLogs: tags resolved, too-large ranges bisected (parts run stage 5)
// 5. consistentReadsStage  reads: head preference and result checks, dispatches by itself
//
// Stages 1, 2 and 5 call the dispatcher themselves (they need restrictTo, minHead or accept), so a stage
// added after these in operations.ts would not see the calls they handle.
import type { CallStage } from '../call-pipeline.js';
import { txBroadcastStage } from '../tx-broadcast.js';
import { consistentReadsStage } from './consistent-reads.js';
import { logsSplitterStage } from './logs-splitter.js';
import { responseCacheStage } from './response-cache.js';
import { stickyFiltersStage } from './sticky-filters.js';

export function chainStages(): CallStage[] {
  return [
    txBroadcastStage,
    stickyFiltersStage,
    responseCacheStage,
    logsSplitterStage([consistentReadsStage]),
    consistentReadsStage,
  ].map(evmOnly);
}

/** These stages read EVM methods and answers: other families' calls go straight on. */
function evmOnly(stage: CallStage): CallStage {
  const filtered: CallStage = (ctx, next) => (ctx.chain.family.name === 'evm' ? stage(ctx, next) : next());
  const inner = stage.appliesTo;
  filtered.appliesTo = (family, method) => family === 'evm' && (inner?.(family, method) ?? true);
  return filtered;
}
