// Who may take part in a verified read: the chain's upstreams grouped by the `across` domain, each
// domain's members healthiest first, the domains in order of their best member. Upstreams on a wrong
// chain, out of rotation after disputes, down or with an open breaker take no part.
import { type VerifyAcross, verifyDomainOf } from '../../config/verify-config.js';
import type { ChainRuntime } from '../../routing/chain.js';
import type { Upstream } from '../../routing/upstream.js';

export interface VerifyDomain {
  name: string;
  members: Upstream[];
}

function usable(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  if (u.wrongChain || u.disputes.distrustedAt(nowMs) || u.isDown || !u.breakerAdmits) return false;
  return chain.domainsAdmit(u, nowMs);
}

/** Lower is better: healthy before suspect, then by the latency estimate. */
function rank(u: Upstream, nowMs: number): number {
  return (u.detection.state === 'clear' ? 0 : 1e9) + u.expectedLatencyMs(nowMs);
}

export function verifyDomains(chain: ChainRuntime, across: VerifyAcross, nowMs: number): VerifyDomain[] {
  const byName = new Map<string, Upstream[]>();
  for (const u of chain.upstreams) {
    if (!usable(chain, u, nowMs)) continue;
    const name = verifyDomainOf(u.config, across);
    byName.set(name, [...(byName.get(name) ?? []), u]);
  }
  const domains = [...byName].map(([name, members]) => ({
    name,
    members: members.sort((a, b) => rank(a, nowMs) - rank(b, nowMs)),
  }));
  return domains.sort((a, b) => rank(a.members[0]!, nowMs) - rank(b.members[0]!, nowMs));
}
