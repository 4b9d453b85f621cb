// How one attempt ended, and what that means: the vocabulary every layer above the codec shares (the
// classifier in routing/ produces it; families' error rows, the observer and the status read it).
import type { UpstreamReply } from './jsonrpc.js';

export type Outcome =
  | 'ok'
  | 'deterministic'
  | 'unsupported'
  | 'missing_state'
  | 'range_too_large'
  | 'throttled'
  | 'upstream_error'
  | 'timeout'
  | 'connect_error'
  | 'cancelled';

export type AttemptEnd =
  | { kind: 'reply'; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { kind: 'transport'; error: unknown; timedOut: boolean; cancelled: boolean };

export interface Classification {
  outcome: Outcome;
  /** Parsed JSON-RPC reply when the body was one. */
  reply: UpstreamReply | undefined;
  /** From Retry-After (seconds or HTTP date) or provider hints; only for throttled. */
  retryAfterMs: number | undefined;
  /** Whether the request may have reached the upstream (false only when provably nothing was sent). */
  mayHaveBeenSent: boolean;
  /** Short reason for logs and /status, never containing URLs: 'http 503', 'rpc -32005 limit exceeded'. */
  detail: string;
}

/** Health meaning of an outcome: 'success' | 'failure' | 'neutral' (throttled, unsupported, cancelled: no breaker effect). */
export function healthEffect(outcome: Outcome): 'success' | 'failure' | 'neutral' {
  switch (outcome) {
    case 'ok':
    case 'deterministic':
    case 'missing_state':
    case 'range_too_large':
      // The node answered coherently; what it answered is not its health.
      return 'success';
    case 'unsupported':
    case 'throttled':
    case 'cancelled':
      return 'neutral';
    case 'upstream_error':
    case 'timeout':
    case 'connect_error':
      return 'failure';
  }
}
