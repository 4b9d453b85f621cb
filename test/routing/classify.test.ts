import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { evmFamily } from '../../src/families/evm/index.js';
import { methodFacts } from '../../src/families/evm/methods.js';
import { BODY_QUIRKS, RPC_QUIRKS } from '../../src/families/evm/provider-quirks.js';
import { classify as classifyFor, retryable } from '../../src/routing/classify.js';
import { type AttemptEnd, type Classification, healthEffect, type Outcome } from '../../src/rpc/outcome.js';

/** EVM's envelope, error rows and body quirks (the other families' rows have tests of their own). */
const classify = (method: string, end: AttemptEnd, nowMs: number): Classification =>
  classifyFor(method, end, nowMs, evmFamily);

const NOW = Date.UTC(2025, 9, 20, 7, 0, 0);

type Headers = Record<string, string | string[] | undefined>;

function reply(status: number, body: string, headers: Headers = {}): AttemptEnd {
  return { kind: 'reply', status, headers: { 'content-type': 'application/json', ...headers }, body };
}

function rpcError(code: number | undefined, message: string, data?: unknown): string {
  const error: Record<string, unknown> = { message };
  if (code !== undefined) error.code = code;
  if (data !== undefined) error.data = data;
  return JSON.stringify({ jsonrpc: '2.0', id: 1, error });
}

function transport(error: unknown, flags: { timedOut?: boolean; cancelled?: boolean } = {}): AttemptEnd {
  return { kind: 'transport', error, timedOut: flags.timedOut ?? false, cancelled: flags.cancelled ?? false };
}

function sysError(code: string, syscall: string | undefined, message: string): Error {
  return Object.assign(new Error(message), { code, errno: -1, ...(syscall ? { syscall } : {}) });
}

const ALCHEMY_CU =
  'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can ' +
  'safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput';

const CLOUDFLARE_520 = `<!DOCTYPE html>
<html lang="en-US"><head><title>rpc.example.org | 520: Web server is returning an unknown error</title>
<meta charset="UTF-8" /></head><body><div id="cf-wrapper"><h1><span class="inline-block">Web server is
returning an unknown error</span> <span class="code-label">Error code 520</span></h1>
<p>There is an unknown connection issue between Cloudflare and the origin web server.</p>
<span>Cloudflare Ray ID: <strong>8d2f0c1e5a7b3c9d</strong></span></div></body></html>`;

const CLOUDFLARE_1015 = `<!DOCTYPE html>
<html class="no-js" lang="en-US"><head><title>Access denied | rpc.example.org used Cloudflare to restrict
access</title></head><body><div id="cf-wrapper"><div id="cf-error-details"><h1 data-translate="block_headline">
Error</h1> <span class="cf-error-code">1015</span><h2 class="cf-subheadline" data-translate="error_desc">
You are being rate limited</h2><p>The owner of this website (rpc.example.org) has banned you temporarily
from accessing this website.</p></div></div></body></html>`;

const CLOUDFLARE_ATTENTION = `<!DOCTYPE html><html lang="en-US"><head><title>Attention Required! | Cloudflare
</title></head><body><h1>Sorry, you have been blocked</h1><h2>You are unable to access rpc.example.org</h2>
<p>This website is using a security service to protect itself from online attacks.</p></body></html>`;

interface Case {
  name: string;
  method?: string;
  end: AttemptEnd;
  outcome: Outcome;
  retryAfterMs?: number;
  mayHaveBeenSent?: boolean;
  detail?: string | RegExp;
}

function check(c: Case): Classification {
  const got = classify(c.method ?? 'eth_call', c.end, NOW);
  expect(got.outcome).toBe(c.outcome);
  expect(got.retryAfterMs).toBe(c.retryAfterMs);
  expect(got.mayHaveBeenSent).toBe(c.mayHaveBeenSent ?? true);
  if (typeof c.detail === 'string') expect(got.detail).toBe(c.detail);
  else if (c.detail) expect(got.detail).toMatch(c.detail);
  // Details go to logs and /status: provider messages carry dashboard and key-bearing URLs.
  expect(got.detail).not.toMatch(/[a-z]+:\/\//i);
  expect(got.detail.length).toBeLessThanOrEqual(120);
  return got;
}

describe('classify: answers that are fine or final', () => {
  it.each<Case>([
    {
      name: 'result',
      end: reply(200, '{"jsonrpc":"2.0","id":1,"result":"0x1"}'),
      outcome: 'ok',
      detail: 'ok',
    },
    {
      name: 'null result (getBlockByNumber past the head)',
      method: 'eth_getBlockByNumber',
      end: reply(200, '{"jsonrpc":"2.0","id":1,"result":null}'),
      outcome: 'ok',
    },
    {
      name: 'geth code 3 revert with data',
      end: reply(
        200,
        rpcError(
          3,
          'execution reverted: Ownable: caller is not the owner',
          '0x08c379a00000000000000000000000000000000000000000000000000000000000000020',
        ),
      ),
      outcome: 'deterministic',
      detail: 'rpc 3 execution reverted: Ownable: caller is not the owner',
    },
    {
      name: 'revert reason that reads like a rate limit stays a revert',
      end: reply(200, rpcError(3, 'execution reverted: rate limit exceeded for this vault')),
      outcome: 'deterministic',
    },
    {
      name: 'code 3 is a revert whatever its text says (decoded custom error, behind a 500)',
      end: reply(500, rpcError(3, "reverted with custom error 'RateLimited()'", '0x2b8a0b5e')),
      outcome: 'deterministic',
    },
    {
      name: 'besu/older geth -32000 execution reverted, even behind a 500',
      end: reply(500, rpcError(-32000, 'execution reverted')),
      outcome: 'deterministic',
      detail: 'http 500 rpc -32000 execution reverted',
    },
    {
      name: 'nethermind VM execution error with the reason in data',
      end: reply(200, rpcError(-32015, 'VM execution error.', 'revert: not enough allowance')),
      outcome: 'deterministic',
    },
    {
      name: 'geth invalid argument',
      end: reply(
        200,
        rpcError(
          -32602,
          'invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go value of type common.Address',
        ),
      ),
      outcome: 'deterministic',
    },
    {
      name: 'invalid request',
      end: reply(200, rpcError(-32600, 'invalid request')),
      outcome: 'deterministic',
    },
    {
      name: 'nonce too low',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32000, 'nonce too low: next nonce 5, tx nonce 3')),
      outcome: 'deterministic',
    },
    {
      name: 'insufficient funds',
      method: 'eth_sendRawTransaction',
      end: reply(
        200,
        rpcError(-32000, 'insufficient funds for gas * price + value: balance 0, tx cost 21000'),
      ),
      outcome: 'deterministic',
    },
    {
      name: 'intrinsic gas too low',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32000, 'intrinsic gas too low: gas 20000, minimum needed 21000')),
      outcome: 'deterministic',
    },
    {
      name: 'geth already known',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32000, 'already known')),
      outcome: 'deterministic',
    },
    {
      name: 'openethereum already imported',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32010, 'Transaction with the same hash was already imported.')),
      outcome: 'deterministic',
    },
    {
      name: 'known transaction behind a 500',
      method: 'eth_sendRawTransaction',
      end: reply(500, rpcError(-32000, 'known transaction: 0x5e1b')),
      outcome: 'deterministic',
    },
    {
      name: 'base fee',
      method: 'eth_sendRawTransaction',
      end: reply(
        200,
        rpcError(-32000, 'max fee per gas less than block base fee: maxFeePerGas: 1, baseFee: 7'),
      ),
      outcome: 'deterministic',
    },
    {
      name: 'replacement underpriced',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32000, 'replacement transaction underpriced')),
      outcome: 'deterministic',
    },
    {
      name: 'estimateGas over allowance',
      method: 'eth_estimateGas',
      end: reply(200, rpcError(-32000, 'gas required exceeds allowance (0)')),
      outcome: 'deterministic',
    },
    {
      name: 'unknown application error on a 200: the node answered coherently',
      end: reply(200, rpcError(-32099, 'something new')),
      outcome: 'deterministic',
    },
    {
      name: 'unknown error without a code on a 400',
      end: reply(400, rpcError(undefined, 'bad things')),
      outcome: 'deterministic',
      detail: 'http 400 rpc no-code bad things',
    },
  ])('$name -> $outcome', (c) => {
    const got = check(c);
    expect(got.reply?.kind).toMatch(/^(result|error)$/);
  });
});

describe('classify: getLogs ranges', () => {
  it.each<Case>([
    {
      name: 'infura -32005 query returned more than 10000 results',
      end: reply(
        200,
        rpcError(-32005, 'query returned more than 10000 results. Try with this block range [0x1, 0x2].'),
      ),
      outcome: 'range_too_large',
    },
    {
      name: 'infura -32602 range exceeds limit',
      end: reply(200, rpcError(-32602, 'range 1000000 exceeds limit of 10000')),
      outcome: 'range_too_large',
    },
    {
      name: 'alchemy -32602 Log response size exceeded',
      end: reply(
        200,
        rpcError(
          -32602,
          'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no ' +
            'limit on the response size, or you can request any block range with a cap of 10K logs in the ' +
            'response. Based on your parameters, this block range should work: [0x0, 0x1869f]',
        ),
      ),
      outcome: 'range_too_large',
    },
    {
      name: 'alchemy -32600 block range cap',
      end: reply(
        200,
        rpcError(
          -32600,
          'You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this ' +
            'block range should work: [0x123c9b2, 0x123cba5]',
        ),
      ),
      outcome: 'range_too_large',
    },
    {
      name: 'quicknode 413 -32614',
      end: reply(413, rpcError(-32614, 'eth_getLogs is limited to a 10,000 range')),
      outcome: 'range_too_large',
    },
    {
      name: 'ankr -32600 block range is too wide',
      end: reply(200, rpcError(-32600, 'block range is too wide')),
      outcome: 'range_too_large',
    },
    {
      name: 'ankr blocks distance',
      end: reply(200, rpcError(-32000, 'maximum [from, to] blocks distance: 10000')),
      outcome: 'range_too_large',
    },
    {
      name: 'cloudflare -32047 Max range 800',
      end: reply(
        200,
        rpcError(
          -32047,
          "Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: 800",
        ),
      ),
      outcome: 'range_too_large',
    },
    {
      name: 'drpc free plan range',
      end: reply(200, rpcError(35, 'ranges over 10000 blocks are not supported on free plan')),
      outcome: 'range_too_large',
    },
    {
      name: 'reth/geth exceed maximum block range',
      end: reply(200, rpcError(-32602, 'query exceeds max block range 5000')),
      outcome: 'range_too_large',
    },
    {
      name: 'trace_filter range',
      method: 'trace_filter',
      end: reply(200, rpcError(-32000, 'block range is too wide (maximum 1024)')),
      outcome: 'range_too_large',
    },
    // Near misses: wording that mentions ranges or limits but asks for something else.
    {
      name: 'geth reversed range is the client’s mistake, not a split',
      end: reply(200, rpcError(-32602, 'invalid block range params')),
      outcome: 'deterministic',
    },
    {
      name: 'geth toBlock past this node’s head: a node at head may have it',
      end: reply(200, rpcError(-32602, 'block range extends beyond current head block')),
      outcome: 'missing_state',
    },
    {
      name: 'quicknode credits on a getLogs call is a rate limit, not a range',
      end: reply(200, rpcError(-32012, 'credits limited to 6000/sec')),
      outcome: 'throttled',
    },
  ])('$name -> $outcome', (c) => {
    check({ ...c, method: c.method ?? 'eth_getLogs' });
  });

  it('reads range wording only for range methods: -32005 on eth_call is a rate limit', () => {
    const end = reply(200, rpcError(-32005, 'query returned more than 10000 results'));
    expect(classify('eth_getLogs', end, NOW).outcome).toBe('range_too_large');
    expect(classify('eth_call', end, NOW).outcome).toBe('throttled');
  });
});

describe('classify: throttling', () => {
  it.each<Case>([
    {
      name: 'alchemy 429 compute units',
      end: reply(429, rpcError(429, ALCHEMY_CU)),
      outcome: 'throttled',
      detail: /^http 429 rpc 429 Your app has exceeded its compute units per second capacity/,
    },
    {
      name: 'alchemy compute units over websocket-style -32000 on a 200',
      end: reply(200, rpcError(-32000, ALCHEMY_CU)),
      outcome: 'throttled',
    },
    {
      name: '{code: 429} inside a 200',
      end: reply(200, rpcError(429, 'Too Many Requests')),
      outcome: 'throttled',
    },
    {
      name: 'alchemy monthly capacity',
      end: reply(
        429,
        rpcError(
          429,
          'Monthly capacity limit exceeded. Visit https://dashboard.alchemy.com/settings/billing to upgrade your scaling policy for continued service.',
        ),
      ),
      outcome: 'throttled',
    },
    {
      name: 'infura 429 -32005 with data.rate.backoff_seconds',
      end: reply(
        429,
        rpcError(-32005, 'project ID request rate exceeded', {
          rate: { allowed_rps: 50, backoff_seconds: 30, current_rps: 52.3 },
          see: 'https://infura.io/docs/ethereum/json-rpc/ratelimits',
        }),
      ),
      outcome: 'throttled',
      retryAfterMs: 30_000,
      detail: 'http 429 rpc -32005 project ID request rate exceeded',
    },
    {
      name: 'infura -32005 with flat data.backoff_seconds on a 200',
      end: reply(
        200,
        rpcError(-32005, 'project ID request rate exceeded', {
          see: 'https://infura.io/docs/ethereum/jsonrpc/ratelimits',
          current_rps: 13.333,
          allowed_rps: 10.0,
          backoff_seconds: 1.5,
        }),
      ),
      outcome: 'throttled',
      retryAfterMs: 1500,
    },
    {
      name: 'infura daily request count',
      end: reply(200, rpcError(-32005, 'daily request count exceeded, request rate limited')),
      outcome: 'throttled',
    },
    {
      name: 'EIP-1474 -32005 limit exceeded',
      end: reply(200, rpcError(-32005, 'limit exceeded')),
      outcome: 'throttled',
      detail: 'rpc -32005 limit exceeded',
    },
    {
      name: 'quicknode -32007',
      end: reply(
        200,
        rpcError(
          -32007,
          '100/second request limit reached - reduce calls per second or upgrade your account at quicknode.com',
        ),
      ),
      outcome: 'throttled',
    },
    {
      name: 'quicknode -32012 credits',
      end: reply(200, rpcError(-32012, 'credits limited to 6000/sec')),
      outcome: 'throttled',
    },
    { name: 'infura -32090', end: reply(200, rpcError(-32090, 'Too Many Requests')), outcome: 'throttled' },
    {
      name: 'base proxyd over rate limit wrapped in -32000',
      end: reply(200, rpcError(-32000, '429 Too Many Requests: {"code":-32016,"message":"over rate limit"}')),
      outcome: 'throttled',
    },
    {
      name: 'hint in text: try again in 10s',
      end: reply(200, rpcError(-32000, 'rate limited, please try again in 10s')),
      outcome: 'throttled',
      retryAfterMs: 10_000,
    },
    {
      name: 'hint in text: retry after 250 ms',
      end: reply(200, rpcError(-32000, 'Too many requests, retry after 250 ms')),
      outcome: 'throttled',
      retryAfterMs: 250,
    },
    {
      name: 'Retry-After seconds beats a body hint',
      end: reply(429, rpcError(-32005, 'rate limit', { backoff_seconds: 30 }), { 'retry-after': '2' }),
      outcome: 'throttled',
      retryAfterMs: 2000,
    },
    {
      name: 'HTTP 503 with Retry-After seconds',
      end: reply(503, 'Service Unavailable', { 'content-type': 'text/plain', 'retry-after': '120' }),
      outcome: 'throttled',
      retryAfterMs: 120_000,
      detail: 'http 503 body is not JSON',
    },
    {
      name: 'HTTP 503 with Retry-After HTTP-date',
      end: reply(503, rpcError(-32603, 'no capacity'), {
        'Retry-After': new Date(NOW + 30_000).toUTCString(),
      }),
      outcome: 'throttled',
      retryAfterMs: 30_000,
    },
    {
      name: 'Retry-After date in the past means now',
      end: reply(429, '', { 'retry-after': new Date(NOW - 5000).toUTCString() }),
      outcome: 'throttled',
      retryAfterMs: 0,
    },
    {
      name: 'unreadable Retry-After on a 503 still throttles, without a delay',
      end: reply(503, '', { 'retry-after': 'soon' }),
      outcome: 'throttled',
    },
    {
      name: 'Retry-After as a repeated header',
      end: reply(429, '', { 'retry-after': ['3', '9'] }),
      outcome: 'throttled',
      retryAfterMs: 3000,
    },
    {
      name: 'HTTP 402 credits exhausted',
      end: reply(402, 'Payment Required', { 'content-type': 'text/plain' }),
      outcome: 'throttled',
    },
    {
      name: 'HTTP 402 with a JSON-RPC error',
      end: reply(402, rpcError(-32001, 'API key credits exhausted')),
      outcome: 'throttled',
    },
    {
      name: 'cloudflare 1015 page',
      end: reply(429, CLOUDFLARE_1015, { 'content-type': 'text/html' }),
      outcome: 'throttled',
      detail: 'http 429 body is not JSON (html)',
    },
    {
      name: 'cloudflare 1015 page under another status: the page is the better witness',
      end: reply(403, CLOUDFLARE_1015, { 'content-type': 'text/html' }),
      outcome: 'throttled',
    },
    {
      name: 'gateway {"error": "Too Many Requests"}',
      end: reply(200, '{"error":"Too Many Requests"}'),
      outcome: 'throttled',
    },
  ])('$name -> $outcome', (c) => {
    check(c);
  });

  it('gives no retry delay for outcomes other than throttled', () => {
    const got = classify(
      'eth_call',
      reply(500, rpcError(-32603, 'internal error'), { 'retry-after': '9' }),
      NOW,
    );
    expect(got.outcome).toBe('upstream_error');
    expect(got.retryAfterMs).toBeUndefined();
  });
});

describe('classify: unsupported and missing state', () => {
  it.each<Case>([
    {
      name: 'geth -32601 namespace not exposed',
      method: 'debug_traceTransaction',
      end: reply(200, rpcError(-32601, 'the method debug_traceTransaction does not exist/is not available')),
      outcome: 'unsupported',
    },
    {
      name: 'Method not found',
      end: reply(200, rpcError(-32601, 'Method not found')),
      outcome: 'unsupported',
    },
    {
      name: 'EIP-1474 -32004',
      end: reply(200, rpcError(-32004, 'method not supported')),
      outcome: 'unsupported',
    },
    {
      name: 'alchemy -32600 Unsupported method (not a client error)',
      method: 'eth_newPendingTransactionFilter',
      end: reply(
        400,
        rpcError(
          -32600,
          'Unsupported method: eth_newPendingTransactionFilter. See available methods at https://docs.alchemy.com/alchemy/documentation/apis',
        ),
      ),
      outcome: 'unsupported',
    },
    {
      name: 'plan-gated method',
      method: 'trace_block',
      end: reply(
        200,
        rpcError(
          -32600,
          'trace_block is not available on the Free tier - upgrade to Growth, Scale, or Enterprise',
        ),
      ),
      outcome: 'unsupported',
    },
    {
      name: 'quicknode method not whitelisted',
      end: reply(200, rpcError(-32601, 'method is not whitelisted')),
      outcome: 'unsupported',
    },
    {
      name: 'namespace not enabled',
      method: 'trace_transaction',
      end: reply(200, rpcError(-32000, 'trace_transaction is not enabled for this endpoint')),
      outcome: 'unsupported',
    },
    {
      name: 'geth missing trie node',
      end: reply(
        200,
        rpcError(
          -32000,
          'missing trie node 9d1b6a7f0d16bdb40f77a1df4c8fe4ecc1fd4aa1e2b70bd2c3e3cee0c8f9f0d1 (path )',
        ),
      ),
      outcome: 'missing_state',
    },
    {
      name: 'geth path scheme history not indexed',
      end: reply(200, rpcError(-32000, "state histories haven't been fully indexed yet")),
      outcome: 'missing_state',
    },
    {
      name: 'geth historical state unavailable',
      end: reply(200, rpcError(-32000, 'historical state 0x3b2c is not available')),
      outcome: 'missing_state',
    },
    {
      name: 'geth required historical state (trace)',
      method: 'debug_traceTransaction',
      end: reply(200, rpcError(-32000, 'required historical state unavailable (reexec=128)')),
      outcome: 'missing_state',
    },
    {
      name: 'erigon header not found',
      end: reply(200, rpcError(-32000, 'header not found')),
      outcome: 'missing_state',
    },
    {
      name: 'nethermind no state',
      method: 'eth_getBalance',
      end: reply(200, rpcError(-32002, 'No state available for block 0x9a3f1c')),
      outcome: 'missing_state',
    },
    {
      name: 'erigon pruning',
      method: 'eth_getBalance',
      end: reply(200, rpcError(-32000, 'old data not available due to pruning')),
      outcome: 'missing_state',
    },
    {
      name: 'block not found for a state read',
      method: 'eth_getCode',
      end: reply(200, rpcError(-32000, 'block not found: 0x12a05f2')),
      outcome: 'missing_state',
    },
    {
      name: 'publicnode archive token (not an invalid param)',
      method: 'eth_getBalance',
      end: reply(200, rpcError(-32602, 'Archive requests require a personal token')),
      outcome: 'missing_state',
    },
  ])('$name -> $outcome', (c) => {
    check(c);
  });
});

describe('classify: the provider answers named in the chain-correctness issue', () => {
  // One row per answer shape the issue lists, as providers send them, with the outcome each must map to.
  it.each<Case>([
    { name: 'HTTP 429 with an empty body', end: reply(429, ''), outcome: 'throttled' },
    {
      name: 'HTTP 402 payment required (credits exhausted)',
      end: reply(402, rpcError(-32001, 'API key credits exhausted')),
      outcome: 'throttled',
    },
    {
      name: 'HTTP 503 with Retry-After is a capacity answer',
      end: reply(503, rpcError(-32603, 'service overloaded'), { 'retry-after': '1' }),
      outcome: 'throttled',
      retryAfterMs: 1000,
    },
    {
      name: 'HTTP 503 without Retry-After counts against health (an outage looks like this)',
      end: reply(503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', {
        'content-type': 'text/html',
      }),
      outcome: 'upstream_error',
    },
    {
      name: '-32005 limit exceeded',
      end: reply(200, rpcError(-32005, 'limit exceeded')),
      outcome: 'throttled',
    },
    {
      name: '-32007 quicknode request limit',
      end: reply(200, rpcError(-32007, '25/second request limit reached - reduce calls per second')),
      outcome: 'throttled',
    },
    {
      name: '-32012 quicknode credits',
      end: reply(200, rpcError(-32012, 'credits limited to 6000/sec')),
      outcome: 'throttled',
    },
    {
      name: '{code: 429} in a 200 (alchemy)',
      end: reply(200, rpcError(429, ALCHEMY_CU)),
      outcome: 'throttled',
    },
    {
      name: 'cloudflare 1015 HTML page',
      end: reply(429, CLOUDFLARE_1015, { 'content-type': 'text/html' }),
      outcome: 'throttled',
    },
    {
      name: 'cloudflare 520 HTML page',
      end: reply(520, CLOUDFLARE_520, { 'content-type': 'text/html' }),
      outcome: 'upstream_error',
    },
    {
      name: 'chainstack RPS limit in a 200',
      end: reply(200, rpcError(-32000, "You've exceeded the RPS limit available on the current plan.")),
      outcome: 'throttled',
    },
    {
      name: '"Too many request" in the singular',
      end: reply(200, rpcError(-32000, 'Too many request, try again later')),
      outcome: 'throttled',
    },
    {
      name: 'blast capacity exceeded',
      end: reply(200, rpcError(-32098, 'Capacity exceeded. Please upgrade your plan.')),
      outcome: 'throttled',
    },
    {
      name: 'cloudflare eth gateway -32046 cannot fulfill request: another upstream may',
      end: reply(200, rpcError(-32046, 'Cannot fulfill request')),
      outcome: 'upstream_error',
    },
    {
      name: 'proxyd/envoy no healthy upstream wrapped in JSON-RPC',
      end: reply(200, rpcError(-32011, 'no healthy upstream')),
      outcome: 'upstream_error',
    },
    {
      name: 'unsupported method (geth -32601)',
      method: 'eth_getBlockReceipts',
      end: reply(200, rpcError(-32601, 'the method eth_getBlockReceipts does not exist/is not available')),
      outcome: 'unsupported',
    },
    {
      name: 'unsupported method (alchemy -32600 on a 400)',
      method: 'eth_newFilter',
      end: reply(400, rpcError(-32600, 'Unsupported method: eth_newFilter')),
      outcome: 'unsupported',
    },
    {
      name: 'range too large (infura -32005 on eth_getLogs)',
      method: 'eth_getLogs',
      end: reply(200, rpcError(-32005, 'query returned more than 10000 results')),
      outcome: 'range_too_large',
    },
    {
      name: 'range too large (publicnode max results with a suggested range)',
      method: 'eth_getLogs',
      end: reply(200, rpcError(-32600, 'query exceeds max results 20000, retry with the range 1-100')),
      outcome: 'range_too_large',
    },
    {
      name: 'range too large (blast limited to a 10,000 blocks range)',
      method: 'eth_getLogs',
      end: reply(200, rpcError(-32000, 'eth_getLogs and eth_newFilter are limited to a 10,000 blocks range')),
      outcome: 'range_too_large',
    },
    {
      name: 'anvil block past its head is missing state, not bad params: a node further along has it',
      method: 'eth_getBalance',
      end: reply(200, rpcError(-32602, 'BlockOutOfRangeError: block height is 1 but requested was 100')),
      outcome: 'missing_state',
    },
    {
      name: 'hardhat block past its head',
      method: 'eth_call',
      end: reply(200, rpcError(-32000, 'Received invalid block tag 0x64. Latest block number is 1')),
      outcome: 'missing_state',
    },
    {
      name: 'anvil nonce too low for a resent transaction stays the node’s answer (tx stage checks the hash)',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32003, 'nonce too low')),
      outcome: 'deterministic',
    },
    {
      name: 'anvil transaction already imported',
      method: 'eth_sendRawTransaction',
      end: reply(200, rpcError(-32003, 'transaction already imported')),
      outcome: 'deterministic',
    },
    {
      name: 'filter not found is the node’s final answer, not a reason to ask another node',
      method: 'eth_getFilterChanges',
      end: reply(200, rpcError(-32000, 'filter not found')),
      outcome: 'deterministic',
    },
  ])('$name -> $outcome', (c) => {
    check(c);
  });
});

describe('classify: upstream errors', () => {
  it.each<Case>([
    { name: 'HTTP 500 empty', end: reply(500, ''), outcome: 'upstream_error', detail: 'http 500 empty body' },
    {
      name: 'HTTP 502 with -32603',
      end: reply(502, rpcError(-32603, 'internal error')),
      outcome: 'upstream_error',
      detail: 'http 502 rpc -32603 internal error',
    },
    {
      name: '-32603 on a 200',
      end: reply(200, rpcError(-32603, 'Internal error')),
      outcome: 'upstream_error',
    },
    {
      name: '-32000 server error',
      end: reply(200, rpcError(-32000, 'server error')),
      outcome: 'upstream_error',
    },
    {
      name: 'upstream parse error: we only send valid JSON',
      end: reply(200, rpcError(-32700, 'Parse error')),
      outcome: 'upstream_error',
    },
    {
      name: 'geth tracer timeout',
      method: 'debug_traceTransaction',
      end: reply(200, rpcError(-32000, 'execution aborted (timeout = 5s)')),
      outcome: 'upstream_error',
    },
    {
      name: 'HTTP 503 capacity answer without Retry-After',
      end: reply(503, rpcError(-32099, 'no capacity available')),
      outcome: 'upstream_error',
    },
    {
      name: 'envoy 503 text',
      end: reply(503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow', {
        'content-type': 'text/plain',
      }),
      outcome: 'upstream_error',
    },
    {
      name: 'cloudflare 520 page',
      end: reply(520, CLOUDFLARE_520, { 'content-type': 'text/html' }),
      outcome: 'upstream_error',
      detail: 'http 520 body is not JSON (html)',
    },
    {
      name: 'cloudflare Attention Required page',
      end: reply(403, CLOUDFLARE_ATTENTION, { 'content-type': 'text/html' }),
      outcome: 'upstream_error',
    },
    {
      name: 'infura 401 plain text',
      end: reply(401, 'invalid project id\n', { 'content-type': 'text/plain' }),
      outcome: 'upstream_error',
    },
    {
      name: 'alchemy 401 Must be authenticated!',
      end: reply(401, rpcError(-32600, 'Must be authenticated!')),
      outcome: 'upstream_error',
    },
    {
      name: 'alchemy 403 origin not on whitelist is our config, not a method gap',
      end: reply(403, rpcError(-32600, 'Unspecified origin not on whitelist.')),
      outcome: 'upstream_error',
    },
    {
      name: 'unknown error on a 404',
      end: reply(404, rpcError(-32099, 'no such endpoint')),
      outcome: 'upstream_error',
    },
    {
      name: 'truncated JSON',
      end: reply(200, '{"jsonrpc":"2.0","id":1,"result":"0x'),
      outcome: 'upstream_error',
      detail: 'http 200 body is not JSON',
    },
    {
      name: 'truncated JSON whose text mentions a rate limit is still truncated',
      end: reply(200, '{"jsonrpc":"2.0","id":1,"result":{"note":"rate limit'),
      outcome: 'upstream_error',
    },
    {
      name: 'a batch array where one reply was due',
      end: reply(200, '[{"jsonrpc":"2.0","id":1,"result":"0x1"}]'),
      outcome: 'upstream_error',
      detail: 'http 200 reply is not a JSON-RPC object',
    },
    { name: 'JSON that is not JSON-RPC', end: reply(200, '{"status":"ok"}'), outcome: 'upstream_error' },
    { name: 'empty 200', end: reply(200, ''), outcome: 'upstream_error', detail: 'http 200 empty body' },
    {
      name: 'result on a 500',
      end: reply(500, '{"jsonrpc":"2.0","id":1,"result":"0x1"}'),
      outcome: 'upstream_error',
      detail: 'http 500 with a result',
    },
    {
      name: 'result on a 429',
      end: reply(429, '{"jsonrpc":"2.0","id":1,"result":"0x1"}', { 'retry-after': '1' }),
      outcome: 'throttled',
      retryAfterMs: 1000,
    },
  ])('$name -> $outcome', (c) => {
    check(c);
  });

  it('keeps the parsed reply only when the body was JSON-RPC', () => {
    expect(classify('eth_call', reply(520, CLOUDFLARE_520), NOW).reply).toBeUndefined();
    const err = classify('eth_call', reply(502, rpcError(-32603, 'internal error')), NOW).reply;
    expect(err).toMatchObject({ kind: 'error', code: -32603, message: 'internal error' });
  });

  it('drops URLs and caps provider text in details', () => {
    const long = `rate limit, see https://user:secret@example.org/v3/KEY123 ${'x'.repeat(500)}`;
    const got = classify('eth_call', reply(200, rpcError(-32005, long)), NOW);
    expect(got.detail).not.toContain('secret');
    expect(got.detail).not.toContain('KEY123');
    expect(got.detail).toMatch(/^rpc -32005 rate limit, see <url> x+…$/);
  });
});

describe('classify: transport ends', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

  it.each<Case>([
    {
      name: 'ECONNREFUSED as Node throws it',
      end: transport(sysError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED 10.0.0.7:8545')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
      detail: 'ECONNREFUSED',
    },
    {
      name: 'bare {code: ECONNREFUSED}',
      end: transport({ code: 'ECONNREFUSED' }),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'undici ConnectTimeoutError (real class)',
      end: transport(new undiciErrors.ConnectTimeoutError()),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
      detail: 'UND_ERR_CONNECT_TIMEOUT',
    },
    {
      name: 'ConnectTimeoutError-like object wrapped by fetch, with timedOut set',
      end: transport(
        fetchFailed({
          name: 'ConnectTimeoutError',
          code: 'UND_ERR_CONNECT_TIMEOUT',
          message: 'Connect Timeout Error',
        }),
        { timedOut: true },
      ),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
      detail: 'UND_ERR_CONNECT_TIMEOUT',
    },
    {
      name: 'DNS ENOTFOUND',
      end: transport(sysError('ENOTFOUND', 'getaddrinfo', 'getaddrinfo ENOTFOUND rpc.example.org')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'DNS EAI_AGAIN',
      end: transport(sysError('EAI_AGAIN', 'getaddrinfo', 'getaddrinfo EAI_AGAIN')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'EHOSTUNREACH',
      end: transport(sysError('EHOSTUNREACH', 'connect', 'connect EHOSTUNREACH')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'ENETUNREACH',
      end: transport(sysError('ENETUNREACH', 'connect', 'connect ENETUNREACH')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'kernel connect timeout (ETIMEDOUT on connect)',
      end: transport(sysError('ETIMEDOUT', 'connect', 'connect ETIMEDOUT 10.0.0.7:8545')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
      detail: 'ETIMEDOUT',
    },
    {
      name: 'happy-eyeballs AggregateError',
      end: transport(
        new AggregateError([
          sysError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED ::1:8545'),
          sysError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED 127.0.0.1:8545'),
        ]),
      ),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'TLS certificate refused before any request byte',
      end: transport(sysError('CERT_HAS_EXPIRED', undefined, 'certificate has expired')),
      outcome: 'connect_error',
      mayHaveBeenSent: false,
    },
    {
      name: 'nested {cause: {code: ECONNRESET}}',
      end: transport({ cause: { code: 'ECONNRESET' } }),
      outcome: 'upstream_error',
      detail: 'ECONNRESET',
    },
    {
      name: 'undici SocketError other side closed',
      end: transport(new undiciErrors.SocketError('other side closed')),
      outcome: 'upstream_error',
      detail: 'UND_ERR_SOCKET',
    },
    {
      name: 'other side closed without a code',
      end: transport(new Error('other side closed')),
      outcome: 'upstream_error',
      detail: 'other side closed',
    },
    {
      name: 'fetch-wrapped ECONNRESET under a socket error: the innermost code',
      end: transport(
        fetchFailed(Object.assign(new undiciErrors.SocketError('read'), { cause: { code: 'ECONNRESET' } })),
      ),
      outcome: 'upstream_error',
      detail: 'ECONNRESET',
    },
    {
      name: 'EPIPE',
      end: transport(sysError('EPIPE', 'write', 'write EPIPE')),
      outcome: 'upstream_error',
      detail: 'EPIPE',
    },
    {
      name: 'per-try deadline (our AbortController, DOMException code 20)',
      end: transport(new DOMException('This operation was aborted', 'AbortError'), { timedOut: true }),
      outcome: 'timeout',
      detail: 'timeout',
    },
    {
      name: 'undici HeadersTimeoutError without the flag',
      end: transport(new undiciErrors.HeadersTimeoutError()),
      outcome: 'timeout',
      detail: 'timeout UND_ERR_HEADERS_TIMEOUT',
    },
    {
      name: 'undici BodyTimeoutError',
      end: transport(new undiciErrors.BodyTimeoutError()),
      outcome: 'timeout',
      detail: 'timeout UND_ERR_BODY_TIMEOUT',
    },
    {
      name: 'AbortSignal.timeout reason',
      end: transport(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      outcome: 'timeout',
    },
    {
      name: 'cancelled because another attempt won',
      end: transport(new undiciErrors.RequestAbortedError(), { cancelled: true }),
      outcome: 'cancelled',
      detail: 'cancelled',
    },
    {
      name: 'cancelled while still connecting: provably unsent',
      end: transport(sysError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED'), { cancelled: true }),
      outcome: 'cancelled',
      mayHaveBeenSent: false,
    },
    {
      name: 'an abort nobody flagged is still ours',
      end: transport(new undiciErrors.RequestAbortedError()),
      outcome: 'cancelled',
      detail: 'aborted',
    },
    {
      name: 'unknown error: name only, never the message',
      end: transport(new RangeError('boom at https://user:pw@rpc.example.org/v2/KEY')),
      outcome: 'upstream_error',
      detail: 'RangeError',
    },
    {
      name: 'a thrown string',
      end: transport('weird'),
      outcome: 'upstream_error',
      detail: 'transport error',
    },
  ])('$name -> $outcome', (c) => {
    const got = check(c);
    expect(got.reply).toBeUndefined();
    expect(got.retryAfterMs).toBeUndefined();
  });

  it('survives a cause cycle', () => {
    const a: Record<string, unknown> = { code: 'ECONNRESET' };
    a.cause = a;
    expect(classify('eth_call', transport(a), NOW).outcome).toBe('upstream_error');
  });
});

describe('healthEffect', () => {
  it.each<[Outcome, 'success' | 'failure' | 'neutral']>([
    ['ok', 'success'],
    ['deterministic', 'success'],
    ['missing_state', 'success'],
    ['range_too_large', 'success'],
    ['unsupported', 'neutral'],
    ['throttled', 'neutral'],
    ['cancelled', 'neutral'],
    ['upstream_error', 'failure'],
    ['timeout', 'failure'],
    ['connect_error', 'failure'],
  ])('%s -> %s', (outcome, effect) => {
    expect(healthEffect(outcome)).toBe(effect);
  });
});

describe('retryable', () => {
  const read = methodFacts('eth_call');
  const write = methodFacts('eth_sendRawTransaction');
  const unknown = methodFacts('custom_doThing');
  const filter = methodFacts('eth_getFilterChanges');

  it.each<[string, Outcome, ReturnType<typeof methodFacts>, boolean, boolean]>([
    ['read connect_error', 'connect_error', read, false, true],
    ['write connect_error', 'connect_error', write, false, true],
    ['unknown connect_error', 'connect_error', unknown, false, true],
    ['read timeout', 'timeout', read, true, true],
    ['read upstream_error', 'upstream_error', read, true, true],
    ['read throttled', 'throttled', read, true, true],
    ['read unsupported', 'unsupported', read, true, true],
    ['read missing_state', 'missing_state', read, true, true],
    ['read range_too_large (split instead)', 'range_too_large', read, true, false],
    ['read ok', 'ok', read, true, false],
    ['read deterministic', 'deterministic', read, true, false],
    ['read cancelled', 'cancelled', read, true, false],
    ['write timeout after sending', 'timeout', write, true, false],
    ['write reset after sending', 'upstream_error', write, true, false],
    ['write throttled', 'throttled', write, true, false],
    ['write unsupported', 'unsupported', write, true, false],
    ['write deterministic (already known)', 'deterministic', write, true, false],
    ['write timeout before anything was sent', 'timeout', write, false, true],
    ['unknown timeout after sending', 'timeout', unknown, true, false],
    ['unknown upstream_error after sending', 'upstream_error', unknown, true, false],
    ['unknown missing_state', 'missing_state', unknown, true, false],
    ['unknown throttled: refused without executing', 'throttled', unknown, true, true],
    ['unknown unsupported: refused without executing', 'unsupported', unknown, true, true],
    ['unknown upstream_error before sending', 'upstream_error', unknown, false, true],
    ['filter timeout after sending', 'timeout', filter, true, false],
    ['filter throttled', 'throttled', filter, true, true],
  ])('%s -> %s', (_name, outcome, facts, sent, expected) => {
    expect(retryable(outcome, facts, sent)).toBe(expected);
  });

  it.each<[string, string, AttemptEnd, boolean]>([
    [
      'raw tx reset mid-flight is never resent',
      'eth_sendRawTransaction',
      transport({ code: 'ECONNRESET' }),
      false,
    ],
    [
      'raw tx refused at connect goes elsewhere',
      'eth_sendRawTransaction',
      transport({ code: 'ECONNREFUSED' }),
      true,
    ],
    ['read timeout goes elsewhere', 'eth_call', transport(new Error('aborted'), { timedOut: true }), true],
    [
      'getLogs range is split, not retried',
      'eth_getLogs',
      reply(200, rpcError(-32600, 'block range is too wide')),
      false,
    ],
  ])('end to end: %s', (_name, method, end, expected) => {
    const c = classify(method, end, NOW);
    expect(retryable(c.outcome, methodFacts(method), c.mayHaveBeenSent)).toBe(expected);
  });
});

describe('provider quirk tables', () => {
  it('every row matches on something, and no pattern keeps state between calls', () => {
    for (const quirk of RPC_QUIRKS) {
      expect(quirk.codes !== undefined || quirk.text !== undefined, quirk.seen).toBe(true);
      if (quirk.text) expect(quirk.text.global || quirk.text.sticky, quirk.seen).toBe(false);
    }
    for (const quirk of BODY_QUIRKS) expect(quirk.text.global || quirk.text.sticky, quirk.seen).toBe(false);
  });

  it('classifies the same reply the same way twice in a row', () => {
    const end = reply(200, rpcError(-32000, 'header not found'));
    expect(classify('eth_call', end, NOW).outcome).toBe('missing_state');
    expect(classify('eth_call', end, NOW).outcome).toBe('missing_state');
  });
});
