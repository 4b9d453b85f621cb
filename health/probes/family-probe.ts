// A health probe of any family: one JSON-RPC call with its own deadline, read with the family's
// envelope and error rows. A node's error object is an answer too (getHealth's "Node is behind",
// Bitcoin Core's -28 "Loading block index"): the family's reader decides what it means.
import type { ChainFamily, ProbeAnswer, ProbeCall } from '../../src/families/family.js';
import { classify } from '../../src/routing/classify.js';
import type { Upstream } from '../../src/routing/upstream.js';

export type FamilyProbeResult =
  | { ok: true; answer: ProbeAnswer; latencyMs: number }
  | { ok: false; reason: string; latencyMs: number };

let probeId = 1;

export async function probeFamily(
  upstream: Upstream,
  family: ChainFamily,
  call: ProbeCall,
  timeoutMs: number,
): Promise<FamilyProbeResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
  const start = performance.now();
  const body = `{"jsonrpc":"2.0","id":${probeId++},"method":${JSON.stringify(call.method)},"params":${JSON.stringify(call.params)}}`;
  const end = await upstream.client.send(body, controller.signal);
  clearTimeout(timer);
  const latencyMs = performance.now() - start;
  const c = classify(call.method, end, Date.now(), family);
  const reply = c.reply;
  if (reply?.kind === 'result' && c.outcome === 'ok')
    return { ok: true, answer: { result: reply.value }, latencyMs };
  // A coherent error answer (not a rate limit, not a 5xx page): the node speaking about itself.
  if (reply?.kind === 'error' && c.outcome !== 'throttled' && c.outcome !== 'timeout') {
    return {
      ok: true,
      answer: { error: { code: reply.code, message: reply.message, data: reply.data } },
      latencyMs,
    };
  }
  return { ok: false, reason: c.detail, latencyMs };
}
