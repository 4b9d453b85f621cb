// A fake Bitcoin Core node on a shared simulated chain: blocks advance for every node alike, block
// hashes derive from the genesis hash, one mempool (mined into the next block). It answers in both
// envelopes as Core does: JSON-RPC 1.0 (result and error both present, HTTP 500 on errors, 404 for an
// unknown method) for requests without "jsonrpc":"2.0" or to nodes before v28; strict 2.0 (HTTP 200,
// one of result/error) for requests marked 2.0 to v28+. Conditions: warming up (-28), initial block
// download, behind by N blocks.
import { bitcoinTxid } from '../families/bitcoin/index.js';
import { hexToBytes } from '../families/bytes.js';
import { envelope2, FamilyClock } from './family-wire.js';
import type { RpcErrorObject, RpcOutcome, WireAnswer, WireAnswerer } from './rpc-envelope.js';
import { sha256Hex } from './sim-hex.js';

export interface BitcoinChainOptions {
  /** Names the chain: the genesis hash derives from it. */
  name?: string | undefined;
  startHeight?: number | undefined;
  blockTimeMs?: number | undefined;
}

export class BitcoinChain {
  readonly genesisHash: string;
  readonly clock: FamilyClock;
  readonly mempool = new Map<string, string>();
  /** txid -> [height, raw hex]. */
  readonly mined = new Map<string, [number, string]>();

  constructor(opts: BitcoinChainOptions = {}) {
    // Real genesis hashes start with zeros (proof of work); keep the look.
    this.genesisHash = `0000000000${sha256Hex(`bitcoin-genesis:${opts.name ?? 'main'}`).slice(10)}`;
    this.clock = new FamilyClock(opts.startHeight ?? 870_000, opts.blockTimeMs);
    this.clock.onAdvance((height) => {
      for (const [txid, raw] of this.mempool) this.mined.set(txid, [height, raw]);
      this.mempool.clear();
    });
  }

  get height(): number {
    return this.clock.height;
  }

  blockHash(height: number): string {
    return height === 0 ? this.genesisHash : `00000000${sha256Hex(`${this.genesisHash}:${height}`).slice(8)}`;
  }

  heightOf(hash: string): number | undefined {
    if (hash === this.genesisHash) return 0;
    // The fake's hashes are a function of the height: search the recent window only (bounded).
    for (let h = this.height; h > Math.max(0, this.height - 10_000); h--)
      if (this.blockHash(h) === hash) return h;
    return undefined;
  }
}

export type BitcoinCondition =
  | { kind: 'healthy' }
  /** -28 RPC_IN_WARMUP to every call, as while loading the block index. */
  | { kind: 'warmup'; message?: string }
  /** Initial block download: blocks validated up to head - behind, headers at the head. */
  | { kind: 'ibd'; behind: number }
  /** Out of sync without IBD (a stalled peer set): blocks and headers both lag. */
  | { kind: 'behind'; blocks: number };

export interface BitcoinNodeOptions {
  chain: BitcoinChain;
  /** A node of another chain (wrong genesis). */
  genesisHash?: string | undefined;
  /** Before 28 every answer is a 1.0 envelope and an in-chain duplicate says "already in block chain". */
  coreVersion?: number | undefined;
}

function rpcError(code: number, message: string): RpcOutcome {
  return { error: { code, message } };
}

const HEX_HASH = /^[0-9a-f]{64}$/;

export class BitcoinNode {
  condition: BitcoinCondition = { kind: 'healthy' };
  private readonly version: number;

  constructor(private readonly opts: BitcoinNodeOptions) {
    this.version = opts.coreVersion ?? 28;
  }

  private get chain(): BitcoinChain {
    return this.opts.chain;
  }

  private get tip(): number {
    const c = this.condition;
    const lag = c.kind === 'ibd' ? c.behind : c.kind === 'behind' ? c.blocks : 0;
    return Math.max(0, this.chain.height - lag);
  }

  private get headers(): number {
    return this.condition.kind === 'behind' ? this.tip : this.chain.height;
  }

  private hashAt(height: number): string {
    return height === 0 ? (this.opts.genesisHash ?? this.chain.genesisHash) : this.chain.blockHash(height);
  }

  call(method: string, params: unknown): RpcOutcome {
    if (this.condition.kind === 'warmup')
      return rpcError(-28, this.condition.message ?? 'Loading block index…');
    const p = Array.isArray(params) ? params : [];
    const named = typeof params === 'object' && params !== null && !Array.isArray(params);
    const arg = (i: number, name: string): unknown =>
      named ? (params as Record<string, unknown>)[name] : p[i];
    switch (method) {
      case 'getblockcount':
        return { result: this.tip };
      case 'getbestblockhash':
        return { result: this.hashAt(this.tip) };
      case 'getblockhash': {
        const height = arg(0, 'height');
        if (typeof height !== 'number' || !Number.isSafeInteger(height)) {
          return rpcError(-3, 'JSON value of type string is not of expected type number');
        }
        if (height < 0 || height > this.tip) return rpcError(-8, 'Block height out of range');
        return { result: this.hashAt(height) };
      }
      case 'getblock':
        return this.block(arg(0, 'blockhash'), arg(1, 'verbosity') ?? 1);
      case 'getblockchaininfo':
        return {
          result: {
            chain: 'main',
            blocks: this.tip,
            headers: this.headers,
            bestblockhash: this.hashAt(this.tip),
            difficulty: 110451907374649.6,
            time: 1_730_000_000 + this.tip * 600,
            mediantime: 1_730_000_000 + this.tip * 600 - 3000,
            verificationprogress: this.condition.kind === 'ibd' ? this.tip / this.chain.height : 0.9999987,
            initialblockdownload: this.condition.kind === 'ibd',
            chainwork: `0000000000000000000000000000000000000000${sha256Hex(`work:${this.tip}`).slice(0, 24)}`,
            size_on_disk: 700_000_000_000,
            pruned: false,
            warnings: this.version >= 28 ? [] : '',
          },
        };
      case 'getrawtransaction': {
        const txid = arg(0, 'txid');
        if (typeof txid !== 'string' || !HEX_HASH.test(txid)) {
          return rpcError(
            -8,
            `txid must be of length 64 (not ${String(txid).length}, for '${String(txid)}')`,
          );
        }
        const raw = this.chain.mempool.get(txid) ?? this.chain.mined.get(txid)?.[1];
        if (raw === undefined) {
          return rpcError(
            -5,
            'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
          );
        }
        return { result: raw };
      }
      case 'estimatesmartfee': {
        const target = arg(0, 'conf_target');
        if (typeof target !== 'number') return rpcError(-3, 'Expected type number, got string');
        return { result: { feerate: 0.00012, blocks: Math.max(2, Math.min(1008, target)) } };
      }
      case 'sendrawtransaction':
        return this.send(arg(0, 'hexstring'));
      default:
        return rpcError(-32601, 'Method not found');
    }
  }

  private block(hash: unknown, verbosity: unknown): RpcOutcome {
    if (typeof hash !== 'string' || !HEX_HASH.test(hash)) {
      return rpcError(
        -8,
        `blockhash must be of length 64 (not ${String(hash).length}, for '${String(hash)}')`,
      );
    }
    const height = hash === this.hashAt(0) ? 0 : this.chain.heightOf(hash);
    if (height === undefined || height > this.tip) return rpcError(-5, 'Block not found');
    if (verbosity === 0 || verbosity === false) return { result: `00000020${sha256Hex(`raw:${hash}`)}` };
    return {
      result: {
        hash,
        confirmations: this.tip - height + 1,
        height,
        version: 0x20000000,
        versionHex: '20000000',
        merkleroot: sha256Hex(`merkle:${hash}`),
        time: 1_730_000_000 + height * 600,
        nTx: 1,
        ...(height > 0 ? { previousblockhash: this.hashAt(height - 1) } : {}),
        ...(height < this.tip ? { nextblockhash: this.hashAt(height + 1) } : {}),
        tx: [sha256Hex(`coinbase:${hash}`)],
      },
    };
  }

  private send(hex: unknown): RpcOutcome {
    const raw = typeof hex === 'string' ? hexToBytes(hex) : undefined;
    const txid = raw && !String(hex).startsWith('0x') ? bitcoinTxid(raw) : undefined;
    if (txid === undefined)
      return rpcError(-22, 'TX decode failed. Make sure the tx has at least one input.');
    if (this.chain.mined.has(txid)) {
      return this.version >= 28
        ? rpcError(-27, 'Transaction outputs already in utxo set')
        : rpcError(-27, 'Transaction already in block chain');
    }
    // Already in the mempool: Core answers the txid (node/transaction.cpp BroadcastTransaction).
    this.chain.mempool.set(txid, String(hex).toLowerCase());
    return { result: txid };
  }

  /** The HTTP answer: 1.0 or 2.0 envelope per request and node version (Core httprpc.cpp). */
  readonly wire: WireAnswerer = (parsed: unknown): WireAnswer => {
    if (Array.isArray(parsed)) {
      // Batches always answer 200, each element in its own envelope.
      const parts = parsed.map((item) => this.item(item).text).filter((t): t is string => t !== undefined);
      return { status: 200, body: `[${parts.join(',')}]` };
    }
    const { status, text } = this.item(parsed);
    return { status, body: text ?? '' };
  };

  private item(item: unknown): { status: number; text: string | undefined } {
    if (typeof item !== 'object' || item === null) {
      return {
        status: 400,
        text: legacyEnvelope('null', { error: { code: -32600, message: 'Invalid Request object' } }),
      };
    }
    const request = item as { id?: unknown; method?: unknown; params?: unknown; jsonrpc?: unknown };
    const id = JSON.stringify(request.id ?? null);
    const strict = request.jsonrpc === '2.0' && this.version >= 28;
    if (typeof request.method !== 'string') {
      const error = { code: -32600, message: 'Method must be a string' };
      return strict
        ? { status: 200, text: envelope2(id, { error }) }
        : { status: 400, text: legacyEnvelope(id, { error }) };
    }
    const outcome = this.call(request.method, request.params ?? []);
    if (strict) {
      // A 2.0 notification (no id) gets 204 and no body.
      return 'id' in request
        ? { status: 200, text: envelope2(id, outcome) }
        : { status: 204, text: undefined };
    }
    return { status: legacyStatus(outcome), text: legacyEnvelope(id, outcome) };
  }
}

function legacyStatus(outcome: RpcOutcome): number {
  if (!('error' in outcome)) return 200;
  if (outcome.error.code === -32601) return 404;
  if (outcome.error.code === -32600) return 400;
  return 500;
}

/** 1.0: both members present, the unused one null. */
function legacyEnvelope(idJson: string, outcome: RpcOutcome): string {
  const error: RpcErrorObject | null = 'error' in outcome ? outcome.error : null;
  const result = 'result' in outcome ? outcome.result : null;
  return `{"result":${JSON.stringify(result) ?? 'null'},"error":${JSON.stringify(error)},"id":${idJson}}`;
}
