// How real nodes and providers say "no" in JSON-RPC error objects, as data: (code, message) -> outcome.
// First match wins, so the order is the policy: a revert is read before anything its reason string could
// contain, range limits before rate limits (Infura uses -32005 for both), specific rows before codes.
import type { Outcome } from '../../rpc/outcome.js';
import type { ErrorRow } from '../family.js';

/** Methods whose error can mean "ask for fewer blocks at once". */
const RANGE_METHODS: ReadonlySet<string> = new Set([
  'eth_getLogs',
  'eth_newFilter',
  'eth_getFilterLogs',
  'trace_filter',
]);

export const RPC_QUIRKS: readonly ErrorRow[] = [
  // --- Reverts first: a contract's revert reason is arbitrary text ("rate limit", "range too large").
  { outcome: 'deterministic', codes: [3], seen: 'geth, erigon, reth, nethermind, anvil: execution reverted' },
  {
    outcome: 'deterministic',
    text: /execution reverted|vm execution error|vm exception while processing transaction|transaction: revert/i,
    seen: 'geth/besu with -32000, nethermind "VM execution error.", ganache/hardhat "VM Exception"',
  },

  // --- Block-range wording that is not "too many blocks": checked before the range rows below.
  { outcome: 'deterministic', text: /invalid block range params/i, seen: 'geth: fromBlock above toBlock' },
  {
    outcome: 'missing_state',
    text: /extends beyond current head block|after last accepted block/i,
    seen: 'geth -32602 for toBlock past its head (a lagging node), avalanche',
  },
  {
    // A block past this node's head, in -32602/-32000 clothing: a node that is further along has it.
    outcome: 'missing_state',
    text: /block ?out ?of ?range|block height is \d+ but requested was|invalid block tag .*latest block number is/i,
    seen: 'anvil -32602 "BlockOutOfRangeError: block height is 1 but requested was 100", hardhat -32000',
  },

  // --- eth_getLogs ranges: the dispatcher splits the range instead of failing over.
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    text: /returned more than [\d,]+ results|more than [\d,]+ (results|logs)|query exceeds max results/i,
    seen: 'infura -32005 "query returned more than 10000 results", zkevm, llamarpc, ankr',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    text: /log response size exceeded|response size should not|response too large|logs matched by query exceeds/i,
    seen: 'alchemy -32602 "Log response size exceeded", 1rpc, optimism, arbitrum',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    text: /block range|range (is )?too (large|wide|high)|max(imum)? range|ranges over [\d,]+ blocks/i,
    seen: 'ankr -32600 "block range is too wide", cloudflare -32047 "range too large. Max range: 800", drpc',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    // "limited to <n> block(s)/range", never "credits limited to 6000/sec" (a QuickNode rate limit).
    text: /limited to (a )?[\d,.]+( - [\d,.]+)? (blocks?|range)|range [\d,]+ exceeds limit|exceeds the range/i,
    seen: 'quicknode "eth_getLogs is limited to a 10,000 range", infura -32602, blast, coinbase, ankr',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    text: /requested too many blocks|number of requested blocks|limit the query to|blocks distance|query timeout/i,
    seen: 'avalanche, thirdweb, coinbase "limit the query to at most 1000 blocks", ankr, infura 10 s query cap',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    codes: [-32614],
    seen: 'quicknode getLogs range code',
  },
  {
    outcome: 'range_too_large',
    methods: RANGE_METHODS,
    codes: [-32047],
    seen: 'cloudflare getLogs range code',
  },

  // --- Rate limits and exhausted credit: back off that upstream, try another.
  {
    outcome: 'throttled',
    text: /rate[ -]?limit|too many requests?\b|request rate exceeded|daily request count exceeded/i,
    seen: 'infura -32005 "project ID request rate exceeded", merkle, tenderly, base -32016 "over rate limit"',
  },
  {
    outcome: 'throttled',
    text: /compute units per second|exceeded its .*capacity|capacity limit exceeded|reached the free tier/i,
    seen: 'alchemy code 429 "exceeded its compute units per second capacity", "Monthly capacity limit exceeded"',
  },
  {
    outcome: 'throttled',
    text: /credits limited to|credits? (exhausted|exceeded)|request limit reached|requests limited to/i,
    seen: 'quicknode -32012 "credits limited to 6000/sec", -32007 "100/second request limit reached"',
  },
  {
    outcome: 'throttled',
    text: /(exceeded|reached) the quota|quota exceeded|too much load/i,
    seen: 'various',
  },
  {
    outcome: 'throttled',
    text: /\b(rps|requests per second) limit|exceeded the rps|capacity exceeded|over capacity/i,
    seen: 'chainstack "You\'ve exceeded the RPS limit available on the current plan.", blast "Capacity exceeded"',
  },

  // --- The upstream's key or origin is refused: our configuration is wrong, count it against the upstream.
  {
    outcome: 'upstream_error',
    text: /must be authenticated|invalid project id|invalid api key|unauthori[sz]ed|not on whitelist|not allowed to access/i,
    seen: 'alchemy 401 "Must be authenticated!", 403 "origin not on whitelist", infura, ankr',
  },

  // --- State this node does not have (pruned, not yet synced): an archive node or a peer at head may.
  {
    outcome: 'missing_state',
    text: /missing trie node|header not found|header for (hash|number) not found|historical state|state histor/i,
    seen: 'geth "missing trie node", "header not found", "state histories haven\'t been fully indexed yet"',
  },
  {
    outcome: 'missing_state',
    text: /no state available|state is not available|state not available|world state unavailable|prun(ed|ing)/i,
    seen: 'nethermind "No state available for block", erigon "old data not available due to pruning", reth',
  },
  {
    outcome: 'missing_state',
    text: /\bblock not found|unknown block|could not find block|cannot find block|\barchive\b/i,
    seen: 'erigon/nethermind "block not found", infura "does not have access to archive state", publicnode',
  },

  // --- Method not offered here (plan, namespace not exposed): remember it, try another upstream.
  {
    outcome: 'unsupported',
    text: /method .*(does not exist|is not available|not found|not supported|not whitelisted)|unsupported method/i,
    seen: 'geth -32601 "the method X does not exist/is not available", alchemy -32600 "Unsupported method: X"',
  },
  {
    outcome: 'unsupported',
    text: /is not enabled|not available on the .*(tier|plan)|not included in your .*plan|upgrade your plan/i,
    seen: 'alchemy "X is not available on the Free tier", quicknode add-ons, ankr premium methods',
  },
  {
    outcome: 'unsupported',
    text: /\bnot supported\b/i,
    seen: 'EIP-1474 -32004 "method not supported", nethermind',
  },

  // --- The client's own mistake: every upstream would say the same.
  {
    outcome: 'deterministic',
    text: /nonce too (low|high)|insufficient funds|intrinsic gas too low|gas too (low|high)|gas limit|out of gas/i,
    seen: 'geth/erigon/reth txpool and estimateGas',
  },
  {
    outcome: 'deterministic',
    // Same hash already in the pool: for eth_sendRawTransaction the dispatcher treats this as success.
    text: /already known|known transaction|transaction already imported|already imported/i,
    seen: 'geth "already known", parity/erigon "known transaction", nethermind "AlreadyKnown"',
  },
  {
    outcome: 'deterministic',
    text: /less than block base fee|transaction underpriced|max priority fee per gas higher|gas required exceeds/i,
    seen: 'geth txpool: "max fee per gas less than block base fee", "replacement transaction underpriced"',
  },
  {
    outcome: 'deterministic',
    text: /invalid argument|invalid params?\b|invalid request|cannot unmarshal|invalid sender|rlp:/i,
    seen: 'geth "invalid argument 0: json: cannot unmarshal ...", nethermind, besu',
  },

  // --- The node failed to produce an answer in time or at all.
  {
    outcome: 'upstream_error',
    text: /internal (server )?error|server error|no backend is currently healthy|bad gateway|service unavailable/i,
    seen: 'proxyd, load balancers in front of nodes, nethermind "Internal error"',
  },
  {
    outcome: 'upstream_error',
    text: /context deadline exceeded|timed out|\btimeout\b|execution aborted|gateway time-?out/i,
    seen: 'geth "execution aborted (timeout = 5s)", erigon, tracing nodes',
  },
  {
    outcome: 'upstream_error',
    text: /cannot fulfill request|no healthy upstream|upstream (connect )?error|temporarily unavailable/i,
    seen: 'cloudflare-eth -32046 "Cannot fulfill request", envoy/proxyd in JSON, pocket gateways',
  },

  // --- Codes alone, when the message said nothing we know.
  {
    outcome: 'throttled',
    codes: [429, -32005, -32007, -32009, -32012, -32016, -32090],
    seen: 'alchemy 429, EIP-1474 -32005 limit exceeded, quicknode -32007/-32009/-32012, infura -32090',
  },
  { outcome: 'unsupported', codes: [-32601, -32004, -32612, -32613], seen: 'JSON-RPC, EIP-1474, quicknode' },
  { outcome: 'deterministic', codes: [-32600, -32602], seen: 'JSON-RPC invalid request / invalid params' },
  // We only ever send well-formed JSON: a parse error means the bytes were damaged on the way.
  { outcome: 'upstream_error', codes: [-32603, -32700], seen: 'JSON-RPC internal error / parse error' },
  { outcome: 'upstream_error', codes: [-32046], seen: 'cloudflare eth gateway: cannot fulfill request' },
];

export interface BodyQuirk {
  outcome: Outcome;
  /** Matched against the start of a body that is not a JSON-RPC reply (HTML pages, plain text). */
  text: RegExp;
  seen: string;
}

/** Non-JSON-RPC bodies are upstream errors unless they say they are a rate limit. */
export const BODY_QUIRKS: readonly BodyQuirk[] = [
  {
    outcome: 'throttled',
    text: /error code:? 1015|you are being rate limited/i,
    seen: 'cloudflare 1015 page',
  },
  {
    outcome: 'throttled',
    text: /too many requests|rate[ -]?limit/i,
    seen: 'nginx limit_req 429 page, chainstack, `{"error":"Too Many Requests"}` from gateways',
  },
];

/** How much of a non-JSON body is searched: error pages say what they are near the top. */
const BODY_SCAN_CHARS = 8192;

export function matchBodyQuirk(body: string): BodyQuirk | undefined {
  const head = body.length > BODY_SCAN_CHARS ? body.slice(0, BODY_SCAN_CHARS) : body;
  return BODY_QUIRKS.find((quirk) => quirk.text.test(head));
}
