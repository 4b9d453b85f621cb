// Who a Bitcoin node is (hash of block 0: `chain` says "main" on Dogecoin and Litecoin too), where its
// tip is (getblockcount) and whether it is ready (getblockchaininfo: initial block download, headers
// known but blocks not yet validated; -28 warm-up and -10 initial download errors).
import type { FamilyProbes, ProbeAnswer, Readiness } from '../family.js';
import { isRecord } from '../params.js';

/** Headers ahead of validated blocks beyond this: the node is still catching up to the tip it knows. */
export const MAX_HEADERS_AHEAD = 2;

const BLOCK_HASH = /^[0-9a-fA-F]{64}$/;

function readBlockCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function readGenesisHash(answer: ProbeAnswer): string | undefined {
  if (!('result' in answer) || typeof answer.result !== 'string' || !BLOCK_HASH.test(answer.result)) {
    return undefined;
  }
  return answer.result.toLowerCase();
}

function readHead(answer: ProbeAnswer): number | undefined {
  return 'result' in answer ? readBlockCount(answer.result) : undefined;
}

function readBlockchainInfo(answer: ProbeAnswer): Readiness {
  if ('error' in answer) {
    const { code, message } = answer.error;
    if (code === -28) return { ready: false, reason: `warming up: ${message}` };
    if (code === -10) return { ready: false, reason: `initial block download: ${message}` };
    // A gateway that hides getblockchaininfo: the head probe and the lag rule still judge the node.
    if (code === -32601) return { ready: true };
    return { ready: false, reason: `getblockchaininfo error ${code ?? 'without code'}: ${message}` };
  }
  const info = answer.result;
  if (!isRecord(info)) return { ready: false, reason: 'getblockchaininfo answered no object' };
  const blocks = readBlockCount(info.blocks);
  const headers = readBlockCount(info.headers);
  if (info.initialblockdownload === true) {
    const progress = blocks !== undefined && headers !== undefined ? ` (${blocks} of ${headers} blocks)` : '';
    return { ready: false, reason: `initial block download${progress}` };
  }
  if (blocks !== undefined && headers !== undefined && headers - blocks > MAX_HEADERS_AHEAD) {
    return { ready: false, reason: `${headers - blocks} blocks behind its headers` };
  }
  return { ready: true };
}

export const bitcoinProbes: FamilyProbes = {
  identity: { method: 'getblockhash', params: [0] },
  readIdentity: readGenesisHash,
  head: { method: 'getblockcount', params: [] },
  readHead,
  readiness: { method: 'getblockchaininfo', params: [] },
  readReadiness: readBlockchainInfo,
};

/** A live answer that shows the tip: getblockcount, or the `blocks` of getblockchaininfo. */
export function bitcoinLiveHead(method: string, result: unknown): number | undefined {
  if (method === 'getblockcount') return readBlockCount(result);
  if (method === 'getblockchaininfo' && isRecord(result)) return readBlockCount(result.blocks);
  return undefined;
}
