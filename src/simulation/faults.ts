// The faults a fake provider can be told to show, and the pure rule that turns a (possibly composite)
// fault into the one leaf fault that applies to a given request. Pure so it is testable without time.

export type ThrottleStyle = 'http429' | 'rpc-32005' | 'rpc429in200';

export type Fault =
  | { kind: 'none' }
  /** Listening socket closed, open sockets destroyed: clients get ECONNREFUSED. */
  | { kind: 'refuse' }
  /** Request read, never answered. */
  | { kind: 'hang' }
  /** Socket reset (RST) once the request arrived: clients get ECONNRESET. */
  | { kind: 'reset' }
  | { kind: 'slow'; extraMs: number; jitterMs?: number }
  | { kind: 'http_status'; status: number; body?: string; contentType?: string }
  | { kind: 'throttle'; retryAfterSec?: number; style?: ThrottleStyle }
  /** 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** 200 with the JSON answer cut in half; Content-Length matches the cut body. */
  | { kind: 'truncated' }
  /** Head frozen at frozenAt (default: the chain head when the fault was set). */
  | { kind: 'stale_head'; frozenAt?: number }
  | { kind: 'wrong_chain'; chainId: number }
  /** Inner fault during even periods since set (starting with the fault), healthy during odd ones. */
  | { kind: 'flapping'; periodMs: number; fault: Fault }
  /**
   * Inner fault on a `rate` fraction of requests, evenly spread by a counter (reproducible); the other
   * requests get `otherwise` (default: no fault), e.g. a slow region that also fails some calls.
   */
  | { kind: 'error_rate'; rate: number; fault: Fault; otherwise?: Fault };

/** Faults that decide the answer of one request (composites resolved away). */
export type LeafFault = Exclude<Fault, { kind: 'flapping' } | { kind: 'error_rate' }>;

export const NO_FAULT: LeafFault = Object.freeze({ kind: 'none' });

/** A Cloudflare-style 502 HTML page, as seen in front of real providers during outages. */
export function cloudflarePage(status = 502): Fault {
  return {
    kind: 'http_status',
    status,
    contentType: 'text/html; charset=UTF-8',
    body:
      '<!DOCTYPE html><html><head><title>upstream.example | 502: Bad gateway</title></head>' +
      `<body><h1>Error ${status}</h1><p>Bad gateway</p><p>Cloudflare Ray ID: 7f00000000000000</p>` +
      '</body></html>',
  };
}

/**
 * The leaf fault for one request.
 * @param elapsedMs time since the fault was set (drives flapping)
 * @param seq 0-based index of this HTTP request since the fault was set (drives error_rate);
 *   null asks about the connection level (is the port listening?), where error_rate never applies.
 */
export function activeFault(fault: Fault, elapsedMs: number, seq: number | null): LeafFault {
  switch (fault.kind) {
    case 'flapping': {
      const phase = Math.floor(elapsedMs / Math.max(1, fault.periodMs));
      return phase % 2 === 0 ? activeFault(fault.fault, elapsedMs, seq) : NO_FAULT;
    }
    case 'error_rate': {
      if (seq === null) return NO_FAULT;
      // Request seq is hit when the running count floor(seq * rate) steps up: exactly `rate` of the
      // requests, evenly spaced (rate 0.5 hits every 2nd one, rate 0.1 every 10th).
      const rate = Math.min(1, Math.max(0, fault.rate));
      const hit = Math.floor((seq + 1) * rate) > Math.floor(seq * rate);
      if (!hit) return fault.otherwise ? activeFault(fault.otherwise, elapsedMs, seq) : NO_FAULT;
      const inner = activeFault(fault.fault, elapsedMs, seq);
      // A listening socket cannot refuse one request out of k; a reset is the per-request equivalent.
      return inner.kind === 'refuse' ? { kind: 'reset' } : inner;
    }
    default:
      return fault;
  }
}

/** Fills in what must be fixed when the fault is set (a stale head freezes at the head of that time). */
export function prepareFault(fault: Fault, head: number): Fault {
  switch (fault.kind) {
    case 'stale_head':
      return { kind: 'stale_head', frozenAt: fault.frozenAt ?? head };
    case 'flapping':
      return { ...fault, fault: prepareFault(fault.fault, head) };
    case 'error_rate':
      return {
        ...fault,
        fault: prepareFault(fault.fault, head),
        ...(fault.otherwise ? { otherwise: prepareFault(fault.otherwise, head) } : {}),
      };
    default:
      return fault;
  }
}

/**
 * Periods of the flapping faults wrapped around a refuse: the port must close and reopen at their
 * boundaries. Empty when the fault never refuses, or refuses for good (no timer needed).
 */
export function refuseFlapPeriods(fault: Fault): number[] {
  if (fault.kind !== 'flapping') return [];
  if (fault.fault.kind === 'refuse') return [Math.max(1, fault.periodMs)];
  const inner = refuseFlapPeriods(fault.fault);
  return inner.length === 0 ? [] : [Math.max(1, fault.periodMs), ...inner];
}
