// Chain-correctness stages (transactions, consistent reads, sticky filters, cache, log splitting),
// in the order a call meets them. Each stage lives in its own module.
import type { CallStage } from './call-pipeline.js';

export function chainStages(): CallStage[] {
  return [];
}
