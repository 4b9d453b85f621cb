// Who may take part in a verified read (src/stages/verify/) or be the trusted reference of a dispute
// probe (health/probes/dispute-probe.ts): the chain's upstreams grouped by the `across` domain, each
// domain's members healthiest first, the domains in order of their best member. Upstreams on a wrong
// chain or out of rotation after disputes take no part; down ones (or behind an open breaker) only
// after every healthy one, as selection's panic rule does: their answer must agree all the same.
import { type VerifyAcross, verifyDomainOf } from '../config/verify-config.js';
import type { ChainRuntime } from './chain.js';
import type { Upstream } from './upstream.js';

export interface VerifyDomain {
  name: string;
  members: Upstream[];
}

function healthy(chain: ChainRuntime, u: Upstream, nowMs: number): boolean {
  return !u.isDown && u.breakerAdmits && chain.domainsAdmit(u, nowMs);
}

/** Lower is better: the priority tier first, healthy before suspect before down, then latency. */
function rank(chain: ChainRuntime, u: Upstream, nowMs: number): number {
  const health = healthy(chain, u, nowMs) ? (u.detection.state === 'clear' ? 0 : 1e9) : 2e9;
  return u.config.priority * 1e10 + health + u.expectedLatencyMs(nowMs);
}

export function verifyDomains(chain: ChainRuntime, across: VerifyAcross, nowMs: number): VerifyDomain[] {
  const byName = new Map<string, Upstream[]>();
  for (const u of chain.upstreams) {
    if (u.wrongChain || u.disputes.distrusted) continue;
    const name = verifyDomainOf(u.config, across);
    byName.set(name, [...(byName.get(name) ?? []), u]);
  }
  const domains = [...byName].map(([name, members]) => ({
    name,
    members: members.sort((a, b) => rank(chain, a, nowMs) - rank(chain, b, nowMs)),
  }));
  return domains.sort((a, b) => rank(chain, a.members[0]!, nowMs) - rank(chain, b.members[0]!, nowMs));
}
