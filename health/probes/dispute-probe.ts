// The probe that decides whether an upstream out of rotation after repeated disputes may come back: the
// read it was last disputed on (as its participants got it, pinned to one block or slot) goes to it and
// to `quorum` trusted upstreams in distinct domains (the chain's verify policy, or the defaults) at
// once, and the answers are compared as a verified read compares them (src/routing/answer-digest.ts).
import { defaultVerify } from '../../src/config/verify-config.js';
import type { ProbeCall } from '../../src/families/family.js';
import { resultDigest } from '../../src/routing/answer-digest.js';
import type { ChainRuntime } from '../../src/routing/chain.js';
import type { Upstream } from '../../src/routing/upstream.js';
import { verifyDomains } from '../../src/routing/verify-domains.js';
import { probeFamily } from './family-probe.js';

/** agrees: its answer is the trusted quorum's; no-quorum: the trusted upstreams gave no one answer. */
export type DisputeVerdict = 'agrees' | 'disagrees' | 'no-quorum';

/** One probe answer's digest; undefined for an error or no answer (a trusted one then counts for nothing). */
async function digestOf(chain: ChainRuntime, u: Upstream, call: ProbeCall, timeoutMs: number) {
  const r = await probeFamily(u, chain.family, call, timeoutMs);
  return r.ok && 'result' in r.answer ? resultDigest(r.answer.result, chain.family.name) : undefined;
}

export async function probeDisputed(
  chain: ChainRuntime,
  upstream: Upstream,
  timeoutMs: number,
): Promise<DisputeVerdict> {
  const { quorum, across } = chain.config.verify ?? defaultVerify(chain.family.name);
  const read = upstream.disputes.evidence;
  // Without a disputed read on record (never from a verified read), the identity call at least shows
  // it on the chain.
  const call: ProbeCall = read
    ? { method: read.method, params: (read.params ?? []) as ProbeCall['params'] }
    : chain.family.probes.identity;
  // The best member of each trusted domain; the upstream itself is out of rotation, so in none.
  const trusted = verifyDomains(chain, across, Date.now())
    .slice(0, quorum)
    .map((d) => d.members[0]!);
  if (trusted.length < quorum) return 'no-quorum';
  const [own, ...reference] = await Promise.all(
    [upstream, ...trusted].map((u) => digestOf(chain, u, call, timeoutMs)),
  );
  const agreed = reference[0];
  if (agreed === undefined || reference.some((d) => d !== agreed)) return 'no-quorum';
  return own === agreed ? 'agrees' : 'disagrees';
}
