// How long the feed waits before asking upstreams again for a block or its logs that none had yet:
// doubling from the first wait up to the longest.
export const RETRY_MIN_MS = 50;
export const RETRY_MAX_MS = 2000;
