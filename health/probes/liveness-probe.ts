// The detector's liveness probe: the family's identity call (eth_chainId, getGenesisHash, getblockhash 0,
// status), the cheapest call a node has and one most providers do not bill, on the upstream's probe
// connections. Any coherent answer, an error object included, shows the node alive.
import type { ChainRuntime } from '../../src/routing/chain.js';
import type { Upstream } from '../../src/routing/upstream.js';
import type { LivenessResult } from '../detector.js';
import { probeFamily } from './family-probe.js';

export async function probeLiveness(
  chain: ChainRuntime,
  upstream: Upstream,
  deadlineMs: number,
): Promise<LivenessResult> {
  const { family } = chain;
  const r = await probeFamily(upstream, family, family.probes.identity, deadlineMs, upstream.probeClient);
  if (r.ok) {
    return {
      alive: true,
      reason: '',
      latencyMs: r.latencyMs,
      identity: family.probes.readIdentity(r.answer),
    };
  }
  return { alive: r.throttled ? undefined : false, reason: r.reason, latencyMs: r.latencyMs };
}
