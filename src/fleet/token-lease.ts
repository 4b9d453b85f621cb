// A fleet-wide token bucket per API key, handed out in leases: a member asks for a few tokens at once
// and spends them locally. Pure; the Redis store runs the same steps as one Lua script (LEASE_SCRIPT),
// the cluster primary runs this function.

export interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface Lease {
  /** Tokens granted to the member (0 when the bucket is empty). */
  granted: number;
  /** With nothing granted: when the next token will be there. */
  retryAfterMs: number;
}

/**
 * Refills `bucket` up to `burst`, charges `debt` (requests the member already admitted on its local
 * allowance; the bucket may go below zero and must be repaid before it grants again), then grants up
 * to `want` whole tokens.
 */
export function leaseTokens(
  bucket: Bucket,
  ratePerSecond: number,
  burst: number,
  want: number,
  debt: number,
  nowMs: number,
): Lease {
  const elapsed = Math.max(0, nowMs - bucket.updatedMs);
  bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000) - debt;
  bucket.updatedMs = nowMs;
  const granted = bucket.tokens >= 1 ? Math.min(want, Math.floor(bucket.tokens)) : 0;
  bucket.tokens -= granted;
  const retryAfterMs = granted > 0 ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / ratePerSecond);
  return { granted, retryAfterMs };
}

/** leaseTokens as a Redis script: atomic across the fleet, on Redis's clock (no skew between members). */
export const LEASE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local debt = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000) - debt
local granted = 0
if tokens >= 1 then granted = math.min(want, math.floor(tokens)) end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
local retry = 0
if granted == 0 then retry = math.ceil((1 - tokens) * 1000 / rate) end
return {granted, retry}
`;
