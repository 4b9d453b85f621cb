// The built-in EVM JSON-RPC methods of a fake provider, answered from the shared ChainSim as the
// provider sees it (ChainView: faults can make its head and chain id differ from the real chain).

import type { ChainSim } from './chain-sim.js';
import type { LeafFault } from './faults.js';
import { logMatches, parseLogMatcher } from './log-filter.js';
import type { RpcOutcome } from './rpc-envelope.js';
import { sha256Hex, toQuantity } from './sim-hex.js';

/** The head and chain id a provider claims; faults can make it differ from the real chain. */
export interface ChainView {
  head: number;
  chainId: number;
}

const HEX_RE = /^0x[0-9a-fA-F]+$/;
// The widest eth_getLogs range served, like providers' 10k-block limits; keeps each call bounded.
const MAX_LOG_RANGE = 10_000;

/** The chain as a provider under this leaf fault claims it: stale_head freezes, wrong_chain lies. */
export function chainViewUnder(leaf: LeafFault, chain: ChainSim): ChainView {
  return {
    head: leaf.kind === 'stale_head' ? Math.min(leaf.frozenAt ?? chain.head, chain.head) : chain.head,
    chainId: leaf.kind === 'wrong_chain' ? leaf.chainId : chain.chainId,
  };
}

function invalidParams(message: string): RpcOutcome {
  return { error: { code: -32602, message: `invalid params: ${message}` } };
}

/** Block tag or hex number -> block number; undefined when the tag is not understood. */
function resolveBlockTag(tag: unknown, head: number): number | undefined {
  switch (tag) {
    case undefined:
    case 'latest':
    case 'pending':
      return head;
    case 'earliest':
      return 0;
    case 'safe':
      return Math.max(0, head - 32);
    case 'finalized':
      return Math.max(0, head - 64);
    default:
      return typeof tag === 'string' && HEX_RE.test(tag) ? Number.parseInt(tag, 16) : undefined;
  }
}

function addressParam(value: unknown): string | undefined {
  return typeof value === 'string' && HEX_RE.test(value) ? value.toLowerCase() : undefined;
}

/** Deterministic small integer per key, so every provider of a fleet agrees. */
function hashedQuantity(key: string, hexDigits: number): string {
  return toQuantity(BigInt(`0x${sha256Hex(key).slice(0, hexDigits)}`));
}

/** One built-in method's outcome; `providerName` shows in web3_clientVersion. */
export function answerEvmCall(
  chain: ChainSim,
  providerName: string,
  method: string,
  params: unknown[],
  view: ChainView,
): RpcOutcome {
  switch (method) {
    case 'eth_chainId':
      return { result: toQuantity(view.chainId) };
    case 'net_version':
      return { result: String(view.chainId) };
    // geth, erigon and hosted providers answer true; viem's fallback ranking pings with it.
    case 'net_listening':
      return { result: true };
    case 'eth_blockNumber':
      return { result: toQuantity(view.head) };
    case 'eth_getBlockByNumber': {
      const n = resolveBlockTag(params[0], view.head);
      if (n === undefined) return invalidParams('bad block tag');
      return { result: n > view.head ? null : chain.block(n, params[1] === true) };
    }
    case 'eth_getBlockByHash': {
      if (typeof params[0] !== 'string') return invalidParams('bad block hash');
      // Orphaned blocks stay retrievable by hash, as geth keeps side-chain blocks.
      const known = chain.knownBlock(params[0]);
      if (known === undefined || known.number > view.head) return { result: null };
      return { result: chain.blockByHash(params[0], params[1] === true) };
    }
    case 'eth_getBalance': {
      const address = addressParam(params[0]);
      if (!address) return invalidParams('bad address');
      return { result: hashedQuantity(`balance:${address}`, 15) };
    }
    case 'eth_getTransactionCount': {
      const address = addressParam(params[0]);
      if (!address) return invalidParams('bad address');
      return { result: hashedQuantity(`nonce:${address}`, 3) };
    }
    case 'eth_call': {
      const tx = params[0] as { to?: unknown; data?: unknown; input?: unknown } | undefined;
      if (typeof tx !== 'object' || tx === null) return invalidParams('missing call object');
      return { result: `0x${sha256Hex(`call:${String(tx.to)}:${String(tx.data ?? tx.input ?? '0x')}`)}` };
    }
    case 'eth_estimateGas': {
      const tx = params[0] as { data?: unknown; input?: unknown } | undefined;
      const data = tx?.data ?? tx?.input;
      const dataBytes = typeof data === 'string' ? Math.max(0, (data.length - 2) >> 1) : 0;
      return { result: toQuantity(21000 + 16 * dataBytes) };
    }
    case 'eth_gasPrice':
      return { result: '0x3b9aca00' };
    case 'eth_maxPriorityFeePerGas':
      return { result: '0x5f5e100' };
    case 'eth_getCode':
      return { result: '0x' };
    case 'eth_sendRawTransaction': {
      const raw = params[0];
      if (typeof raw !== 'string' || !HEX_RE.test(raw)) return invalidParams('bad raw transaction');
      const { hash, alreadyKnown } = chain.sendRawTransaction(raw);
      return alreadyKnown ? { error: { code: -32000, message: 'already known' } } : { result: hash };
    }
    case 'eth_getTransactionByHash':
      return { result: typeof params[0] === 'string' ? chain.transaction(params[0]) : null };
    case 'eth_getTransactionReceipt':
      return { result: typeof params[0] === 'string' ? chain.receipt(params[0]) : null };
    case 'eth_getLogs':
      return getLogs(chain, params[0], view);
    case 'eth_syncing':
      return { result: false };
    case 'web3_clientVersion':
      return { result: `FakeProvider/v1.0.0/${providerName}` };
    default:
      return { error: { code: -32601, message: `the method ${method} does not exist/is not available` } };
  }
}

/** eth_getLogs per the spec: {blockHash} or {fromBlock, toBlock}, with address and topics filters. */
function getLogs(chain: ChainSim, filter: unknown, view: ChainView): RpcOutcome {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    return invalidParams('missing filter object');
  }
  const f = filter as { blockHash?: unknown; fromBlock?: unknown; toBlock?: unknown };
  const matcher = parseLogMatcher(filter as { address?: unknown; topics?: unknown });
  if (typeof matcher === 'string') return invalidParams(matcher);
  let logs: ReturnType<ChainSim['canonicalLogs']>;
  if (f.blockHash !== undefined) {
    if (f.fromBlock !== undefined || f.toBlock !== undefined) {
      return invalidParams('cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other');
    }
    if (typeof f.blockHash !== 'string') return invalidParams('bad block hash');
    const known = chain.knownBlock(f.blockHash);
    if (known === undefined || known.number > view.head) {
      return { error: { code: -32000, message: 'unknown block' } };
    }
    logs = chain.logsOfHash(f.blockHash) ?? [];
  } else {
    const from = resolveBlockTag(f.fromBlock, view.head);
    const to = resolveBlockTag(f.toBlock, view.head);
    if (from === undefined || to === undefined) return invalidParams('bad block tag');
    if (from > to) return { error: { code: -32000, message: 'invalid block range params' } };
    // Beyond the head there is nothing yet (answered [], as anvil and geth do); the cap bounds the loop.
    const last = Math.min(to, view.head);
    if (last - from > MAX_LOG_RANGE) {
      return { error: { code: -32005, message: `query exceeds max block range ${MAX_LOG_RANGE}` } };
    }
    logs = chain.canonicalLogs(from, last);
  }
  return { result: logs.filter((log) => logMatches(log, matcher)) };
}
