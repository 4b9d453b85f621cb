// What an operator may send to POST and DELETE /admin/cordon, checked field by field: a bad request
// gets an answer naming the field and what was expected. Pure.
import { parseDuration } from '../config/config-values.js';

/** A cordon as stored and shared: the target string as the operator wrote it, and when it ends. */
export interface Cordon {
  target: string;
  reason: string;
  createdAtMs: number;
  expiresAtMs: number;
  /** The instance that took the request (hostname/pid), for the audit trail. */
  by: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; expected: string };

const TARGET_KINDS = ['region', 'provider', 'network', 'upstream'] as const;
const MAX_REASON = 300;
const MIN_TTL_MS = 1000;
const MAX_TTL_MS = 7 * 24 * 3600_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * `region:<cloud>/<region>`, `provider:<name>`, `network:<name>` or `upstream:<name>`: the same keys
 * the failure domains use (upstream.ts domainKeys), plus one upstream by name.
 */
export function checkTarget(value: unknown): Checked<string> {
  const expected = `a string like "region:aws/us-east-1", "provider:alchemy", "network:lava" or "upstream:<name>"`;
  if (typeof value !== 'string') return { ok: false, field: 'target', expected };
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon);
  const name = value.slice(colon + 1);
  if (colon < 0 || !(TARGET_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, field: 'target', expected };
  }
  const parts = kind === 'region' ? name.split('/') : [name];
  if ((kind === 'region' && parts.length !== 2) || !parts.every((p) => NAME.test(p))) {
    return {
      ok: false,
      field: 'target',
      expected: kind === 'region' ? 'a region as "region:<cloud>/<region>"' : `a name after "${kind}:"`,
    };
  }
  return { ok: true, value };
}

function parseBody(text: string, allowed: readonly string[]): Checked<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, field: '(body)', expected: 'a JSON object' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, field: '(body)', expected: 'a JSON object' };
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      return { ok: false, field: key, expected: `no such field (allowed: ${allowed.join(', ')})` };
  }
  return { ok: true, value: body as Record<string, unknown> };
}

/** POST /admin/cordon: `{"target", "reason", "ttl"}`; ttl is required, so no cordon is forgotten. */
export function checkCordonRequest(text: string, nowMs: number, by: string): Checked<Cordon> {
  const body = parseBody(text, ['target', 'reason', 'ttl']);
  if (!body.ok) return body;
  const target = checkTarget(body.value.target);
  if (!target.ok) return target;
  const reason = body.value.reason ?? '';
  if (typeof reason !== 'string' || reason.length > MAX_REASON) {
    return { ok: false, field: 'reason', expected: `a string of at most ${MAX_REASON} characters` };
  }
  const ttl = body.value.ttl;
  const ttlMs = typeof ttl === 'string' ? parseDuration(ttl) : undefined;
  if (ttlMs === undefined || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS) {
    return { ok: false, field: 'ttl', expected: 'a duration like "90s", "30m" or "2h", from 1s to 168h' };
  }
  return {
    ok: true,
    value: {
      target: target.value,
      reason: reason.trim(),
      createdAtMs: nowMs,
      expiresAtMs: nowMs + ttlMs,
      by,
    },
  };
}

/** DELETE /admin/cordon: `{"target"}`. */
export function checkUncordonRequest(text: string): Checked<string> {
  const body = parseBody(text, ['target']);
  if (!body.ok) return body;
  return checkTarget(body.value.target);
}
