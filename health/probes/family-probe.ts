// A health probe of any family: one JSON-RPC call with its own deadline, read with the family's
// envelope and error rows. A node's error object is an answer too (getHealth's "Node is behind",
// Bitcoin Core's -28 "Loading block index"): the family's reader decides what it means.
import type { ChainFamily, ProbeAnswer, ProbeCall } from '../../src/families/family.js';
import { classify } from '../../src/routing/classify.js';
import type { Upstream } from '../../src/routing/upstream.js';
import type { UpstreamClient } from '../../src/routing/upstream-client.js';

export type FamilyProbeResult =
  | { ok: true; answer: ProbeAnswer; latencyMs: number }
  | {
      ok: false;
      reason: string;
      latencyMs: number;
      /** Rate-limited: the node is there but says nothing about itself. */
      throttled: boolean;
      /** Not sent at all: the upstream or its provider is at its rate limit (decides nothing). */
      notSent?: true;
    };

let probeId = 1;

export async function probeFamily(
  upstream: Upstream,
  family: ChainFamily,
  call: ProbeCall,
  timeoutMs: number,
  client: UpstreamClient = upstream.client,
): Promise<FamilyProbeResult> {
  // Probes count against the upstream's and its provider's limits (providers bill them): at a limit,
  // this probe is not sent and says nothing about the upstream (as a throttling answer would not).
  if (upstream.limits && !upstream.limits.takeProbe(call.method, Date.now()))
    return { ok: false, reason: 'not sent: at its rate limit', latencyMs: 0, throttled: true, notSent: true };
  const controller = new AbortController();
  const start = performance.now();
  let lookedAgain = false;
  const onDeadline = (): void => {
    // Timers run before I/O after a pause of our own event loop (GC, a long tick): the answer may be
    // waiting in the socket. A late timer looks once more after I/O instead of blaming the upstream.
    if (!lookedAgain && performance.now() - start > timeoutMs * 1.5 + 5) {
      lookedAgain = true;
      timer = setTimeout(onDeadline, 1);
      return;
    }
    controller.abort('timeout');
  };
  let timer = setTimeout(onDeadline, timeoutMs);
  const body = `{"jsonrpc":"2.0","id":${probeId++},"method":${JSON.stringify(call.method)},"params":${JSON.stringify(call.params)}}`;
  const end = await client.send(body, controller.signal);
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
  return { ok: false, reason: c.detail, latencyMs, throttled: c.outcome === 'throttled' };
}
