// Block headers and logs as the subscription feed handles them: validated once when they arrive (from
// an upstream's newHeads, a poll or a backfill), normalised to what geth's newHeads carries, and
// serialised once for every subscriber.

const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY_RE = /^0x[0-9a-fA-F]{1,13}$/;
const EMPTY_BLOOM = `0x${'0'.repeat(512)}`;

/** Fields of a full block that geth's newHeads header does not carry. */
const BODY_FIELDS = ['transactions', 'uncles', 'withdrawals', 'size', 'totalDifficulty'];

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  /** The block has logs (its bloom is not empty): an empty eth_getLogs answer for it is wrong. */
  mayHaveLogs: boolean;
  /** The header as subscribers get it, serialised once. */
  json: string;
}

export interface Log {
  blockHash: string;
  /** Position in the block: identifies the log with blockHash. */
  logIndex: string;
  address: string;
  topics: readonly string[];
  /** The log as the upstream sent it (without `removed`). */
  fields: Record<string, unknown>;
}

/** A header from a block object or a newHeads notification; undefined when it is not one. */
export function headerFrom(value: unknown): BlockHeader | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.hash !== 'string' || !HASH_RE.test(v.hash)) return undefined;
  if (typeof v.parentHash !== 'string' || !HASH_RE.test(v.parentHash)) return undefined;
  if (typeof v.number !== 'string' || !QUANTITY_RE.test(v.number)) return undefined;
  const header: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(v)) if (!BODY_FIELDS.includes(key)) header[key] = field;
  return {
    number: Number.parseInt(v.number, 16),
    hash: v.hash.toLowerCase(),
    parentHash: v.parentHash.toLowerCase(),
    mayHaveLogs: typeof v.logsBloom !== 'string' || v.logsBloom.toLowerCase() !== EMPTY_BLOOM,
    json: JSON.stringify(header),
  };
}

/** The logs of one block from an eth_getLogs answer; undefined when the answer is not that. */
export function logsOfBlock(value: unknown, blockHash: string): Log[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const logs: Log[] = [];
  for (const item of value) {
    const log = logFrom(item);
    if (!log || log.blockHash !== blockHash) return undefined;
    logs.push(log);
  }
  return logs;
}

function logFrom(value: unknown): Log | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.blockHash !== 'string' || typeof v.address !== 'string') return undefined;
  if (typeof v.logIndex !== 'string' || !Array.isArray(v.topics)) return undefined;
  if (!v.topics.every((t): t is string => typeof t === 'string')) return undefined;
  const { removed: _removed, ...fields } = v;
  return {
    blockHash: v.blockHash.toLowerCase(),
    logIndex: v.logIndex,
    address: v.address.toLowerCase(),
    topics: v.topics.map((t) => t.toLowerCase()),
    fields,
  };
}

/** A log as a notification's result: `removed` says whether its block left the canonical chain. */
export function logJson(log: Log, removed: boolean): string {
  return JSON.stringify({ ...log.fields, removed });
}
