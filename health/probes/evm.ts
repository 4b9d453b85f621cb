// EVM health probes: what to ask an upstream and how to read the answer.
import { classify } from '../../src/routing/classify.js';

import type { Upstream } from '../../src/routing/upstream.js';

export type ProbeResult =
  | { ok: true; value: unknown; latencyMs: number }
  | { ok: false; reason: string; latencyMs: number };

let probeId = 1;

/** Sends one JSON-RPC call with its own deadline; never throws. */
export async function probe(upstream: Upstream, method: string, timeoutMs: number): Promise<ProbeResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
  const start = performance.now();
  const body = `{"jsonrpc":"2.0","id":${probeId++},"method":"${method}","params":[]}`;
  const end = await upstream.client.send(body, controller.signal);
  clearTimeout(timer);
  const latencyMs = performance.now() - start;
  const c = classify(method, end, Date.now());
  if (c.outcome !== 'ok' || c.reply?.kind !== 'result') return { ok: false, reason: c.detail, latencyMs };
  return { ok: true, value: c.reply.value, latencyMs };
}

export function parseQuantity(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-f]{1,13}$/i.test(value)) return undefined;
  return Number.parseInt(value, 16);
}
