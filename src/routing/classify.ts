// (method, how one attempt ended) -> outcome. Pure: the dispatcher reports the outcome to the upstream's
// breaker and EWMA, and decides from it whether another upstream may be tried.

import { matchErrorRow } from '../families/error-rows.js';
import type { ChainFamily, MethodFacts } from '../families/family.js';
import type { AttemptEnd, Classification, Outcome } from '../rpc/outcome.js';

/** Failed before a single request byte could leave: DNS, TCP connect, TLS handshake. */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);
/** Node system errors name the failing call: these two run before the request is written. */
const CONNECT_SYSCALLS: ReadonlySet<string> = new Set(['connect', 'getaddrinfo']);
/** undici's own "the answer did not come in time" errors. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const ABORT_CODES: ReadonlySet<string> = new Set(['UND_ERR_ABORTED', 'ABORT_ERR']);

const DETAIL_MESSAGE_CHARS = 80;

interface ErrorFacts {
  /** String codes from the error, its causes and aggregated errors, outermost first. */
  codes: string[];
  syscalls: string[];
  names: string[];
  otherSideClosed: boolean;
}

/** undici and fetch wrap the socket error in `cause`; happy-eyeballs connects throw an AggregateError. */
function errorFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { codes: [], syscalls: [], names: [], otherSideClosed: false };
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null) continue;
    const rec = e as Record<string, unknown>;
    // DOMException carries a numeric code (20 for AbortError): only string codes are Node/undici codes.
    if (typeof rec.code === 'string') facts.codes.push(rec.code);
    if (typeof rec.syscall === 'string') facts.syscalls.push(rec.syscall);
    if (typeof rec.name === 'string') facts.names.push(rec.name);
    if (typeof rec.message === 'string' && rec.message.includes('other side closed')) {
      facts.otherSideClosed = true;
    }
    if (rec.cause !== undefined) queue.push(rec.cause);
    if (Array.isArray(rec.errors)) queue.push(...rec.errors);
  }
  return facts;
}

function classifyTransport(end: Extract<AttemptEnd, { kind: 'transport' }>): Classification {
  const f = errorFacts(end.error);
  const connectCode = f.codes.find((c) => CONNECT_CODES.has(c));
  const connectFailed = connectCode !== undefined || f.syscalls.some((s) => CONNECT_SYSCALLS.has(s));
  // Innermost code is the most specific: ECONNRESET rather than the wrapping UND_ERR_SOCKET.
  const code = f.codes.at(-1);
  const base = { reply: undefined, retryAfterMs: undefined, mayHaveBeenSent: !connectFailed };
  if (end.cancelled) return { ...base, outcome: 'cancelled', detail: 'cancelled' };
  // A connect failure beats the timedOut flag: nothing was sent, so any method may go elsewhere.
  if (connectFailed) {
    return { ...base, outcome: 'connect_error', detail: connectCode ?? code ?? 'connect failed' };
  }
  const timeoutCode = f.codes.find((c) => TIMEOUT_CODES.has(c));
  if (end.timedOut || timeoutCode !== undefined || f.names.includes('TimeoutError')) {
    return { ...base, outcome: 'timeout', detail: timeoutCode ? `timeout ${timeoutCode}` : 'timeout' };
  }
  // Only we abort attempts; one that reaches here without a flag is still ours, not the upstream's fault.
  if (f.codes.some((c) => ABORT_CODES.has(c)) || f.names.includes('AbortError')) {
    return { ...base, outcome: 'cancelled', detail: 'aborted' };
  }
  // ECONNRESET, EPIPE, UND_ERR_SOCKET "other side closed", parser errors: the request may have run.
  const detail = code ?? (f.otherSideClosed ? 'other side closed' : (f.names[0] ?? 'transport error'));
  return { ...base, outcome: 'upstream_error', detail };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.round(value * 1000)
    : undefined;
}

const RETRY_HINT = /(?:try again|retry)(?: after| in)?\s+(\d+(?:\.\d+)?)\s*(ms|milli\w*|s\w*|m\w*)\b/i;

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'ms' || u.startsWith('milli')) return 1;
  return u.startsWith('m') ? 60_000 : 1000;
}

/** Provider hints: Infura's data.backoff_seconds (flat or under data.rate), "try again in 10s" in text. */
function hintedRetryMs(message: string, data: unknown): number | undefined {
  if (typeof data === 'object' && data !== null) {
    const d = data as Record<string, unknown>;
    const rate =
      typeof d.rate === 'object' && d.rate !== null ? (d.rate as Record<string, unknown>) : undefined;
    const fromData = seconds(d.backoff_seconds) ?? seconds(rate?.backoff_seconds);
    if (fromData !== undefined) return fromData;
  }
  const m = RETRY_HINT.exec(message);
  return m ? Math.round(Number(m[1]) * unitMs(m[2]!)) : undefined;
}

/** Provider text is shown in logs: URLs (they can carry keys) and whitespace runs go, length is capped. */
function clean(message: string): string {
  const text = message
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > DETAIL_MESSAGE_CHARS ? `${text.slice(0, DETAIL_MESSAGE_CHARS)}…` : text;
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** Status codes that mean "not now", whatever the body says. */
function statusThrottles(status: number, hasRetryAfter: boolean): boolean {
  return status === 429 || status === 402 || (status === 503 && hasRetryAfter);
}

/** An error object no row recognised: a 2xx (or a 400-style rejection) is the node answering coherently. */
function unmatchedErrorOutcome(status: number): Outcome {
  return is2xx(status) || status === 400 || status === 413 || status === 422
    ? 'deterministic'
    : 'upstream_error';
}

function classifyReply(
  method: string,
  end: Extract<AttemptEnd, { kind: 'reply' }>,
  nowMs: number,
  family: ChainFamily,
): Classification {
  const { body } = end;
  // The family reads its own envelope (Bitcoin Core's 1.0 answers its errors with HTTP 500: the node
  // answering, not failing).
  const { reply: parsed, status } = family.readReply(body, end.status);
  const retryAfterHeader = header(end.headers, 'retry-after');
  const headerMs = parseRetryAfter(retryAfterHeader, nowMs);
  const throttledByStatus = statusThrottles(status, retryAfterHeader !== undefined);
  const httpPrefix = is2xx(status) ? '' : `http ${status} `;

  if (parsed.kind === 'result') {
    if (is2xx(status)) {
      return { outcome: 'ok', reply: parsed, retryAfterMs: undefined, mayHaveBeenSent: true, detail: 'ok' };
    }
    const outcome: Outcome = throttledByStatus ? 'throttled' : 'upstream_error';
    return {
      outcome,
      reply: parsed,
      retryAfterMs: outcome === 'throttled' ? headerMs : undefined,
      mayHaveBeenSent: true,
      detail: `http ${status} with a result`,
    };
  }

  if (parsed.kind === 'error') {
    const quirk = matchErrorRow(family.errorRows, method, parsed);
    const outcome: Outcome = throttledByStatus
      ? 'throttled'
      : (quirk?.outcome ?? unmatchedErrorOutcome(status));
    const message = clean(parsed.message);
    return {
      outcome,
      reply: parsed,
      retryAfterMs:
        outcome === 'throttled' ? (headerMs ?? hintedRetryMs(parsed.message, parsed.data)) : undefined,
      mayHaveBeenSent: true,
      detail: `${httpPrefix}rpc ${parsed.code ?? 'no-code'}${message ? ` ${message}` : ''}`,
    };
  }

  // Not a JSON-RPC reply: an HTML error page, plain text, empty or truncated body.
  const trimmed = body.trimStart();
  const truncatedJson =
    parsed.reason === 'body is not JSON' && (trimmed.startsWith('{') || trimmed.startsWith('['));
  const bodyQuirk = truncatedJson ? undefined : family.matchBodyQuirk?.(body);
  const outcome: Outcome = throttledByStatus ? 'throttled' : (bodyQuirk?.outcome ?? 'upstream_error');
  const html = /^<(!doctype|html)/i.test(trimmed) ? ' (html)' : '';
  return {
    outcome,
    reply: undefined,
    retryAfterMs: outcome === 'throttled' ? headerMs : undefined,
    mayHaveBeenSent: true,
    detail: `http ${status} ${parsed.reason}${html}`,
  };
}

/** `family`: whose envelope, error rows and body quirks apply. */
export function classify(
  method: string,
  end: AttemptEnd,
  nowMs: number,
  family: ChainFamily,
): Classification {
  return end.kind === 'transport' ? classifyTransport(end) : classifyReply(method, end, nowMs, family);
}

/** Whether another upstream may be tried after this outcome, given method facts. */
export function retryable(outcome: Outcome, facts: MethodFacts, mayHaveBeenSent: boolean): boolean {
  // Nothing was sent: no method can have had an effect.
  if (outcome === 'connect_error') return true;
  // Final answers, a split instead of a retry (range), or an attempt we abandoned ourselves.
  if (
    outcome === 'ok' ||
    outcome === 'deterministic' ||
    outcome === 'cancelled' ||
    outcome === 'range_too_large'
  ) {
    return false;
  }
  if (facts.write) return !mayHaveBeenSent;
  if (facts.idempotentRead) return true;
  // Unknown methods, filters, subscriptions: only when the upstream refused without executing.
  return !mayHaveBeenSent || outcome === 'throttled' || outcome === 'unsupported';
}
