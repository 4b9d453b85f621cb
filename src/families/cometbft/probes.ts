// Who a CometBFT node is (node_info.network, the chain id such as "cosmoshub-4"), where its head is
// (sync_info.latest_block_height, a decimal string) and whether it is ready (sync_info.catching_up).
// All three come from one `status` call.
import type { FamilyProbes, ProbeAnswer, Readiness } from '../family.js';
import { isRecord } from '../params.js';

const HEIGHT = /^\d{1,16}$/;

/** CometBFT encodes int64 heights as decimal strings (amino JSON). */
export function readHeight(value: unknown): number | undefined {
  if (typeof value !== 'string' || !HEIGHT.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function syncInfo(answer: ProbeAnswer): Record<string, unknown> | undefined {
  if (!('result' in answer) || !isRecord(answer.result)) return undefined;
  const sync = answer.result.sync_info;
  return isRecord(sync) ? sync : undefined;
}

function readNetwork(answer: ProbeAnswer): string | undefined {
  if (!('result' in answer) || !isRecord(answer.result)) return undefined;
  const nodeInfo = answer.result.node_info;
  if (!isRecord(nodeInfo)) return undefined;
  const network = nodeInfo.network;
  return typeof network === 'string' && network.length > 0 ? network : undefined;
}

function readHead(answer: ProbeAnswer): number | undefined {
  return readHeight(syncInfo(answer)?.latest_block_height);
}

function readCatchingUp(answer: ProbeAnswer): Readiness {
  if ('error' in answer) {
    const { code, message } = answer.error;
    return { ready: false, reason: `status error ${code ?? 'without code'}: ${message}` };
  }
  const sync = syncInfo(answer);
  if (!sync) return { ready: false, reason: 'status answered no sync_info' };
  if (sync.catching_up === true) {
    const height = readHeight(sync.latest_block_height);
    return { ready: false, reason: `catching up${height === undefined ? '' : ` (height ${height})`}` };
  }
  return { ready: true };
}

const STATUS = { method: 'status', params: {} };

export const cometbftProbes: FamilyProbes = {
  identity: STATUS,
  readIdentity: readNetwork,
  head: STATUS,
  readHead,
  readiness: STATUS,
  readReadiness: readCatchingUp,
};

/** A live `status` answer shows the node's head. */
export function cometbftLiveHead(method: string, result: unknown): number | undefined {
  return method === 'status' ? readHead({ result }) : undefined;
}
