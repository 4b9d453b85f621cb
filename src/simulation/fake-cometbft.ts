// A fake CometBFT node (v0.38 answer shapes) on a shared simulated chain: heights advance for every
// node alike, one mempool cache and one tx index. Errors are CometBFT's: -32603 "Internal error" with
// the Go error text in data. Conditions: catching up (status catching_up, broadcast refused), lagging
// (a block or two behind, in sync), or a different network (wrong chain id).
import { base64ToBytes, hexToBytes } from '../families/bytes.js';
import { cometbftTxHash } from '../families/cometbft/index.js';
import { type IndexedTx, resultTx, txResult, txSearch } from './fake-cometbft-tx.js';
import { type FamilyCall, FamilyClock } from './family-wire.js';
import type { RpcOutcome } from './rpc-envelope.js';
import { sha256Hex } from './sim-hex.js';

export interface CometChainOptions {
  network?: string | undefined;
  startHeight?: number | undefined;
  blockTimeMs?: number | undefined;
}

export class CometChain {
  readonly network: string;
  readonly clock: FamilyClock;
  /** Hashes CheckTx has seen (the mempool cache): a resend is "tx already exists in cache". */
  readonly cache = new Map<string, string>();
  readonly indexed = new Map<string, IndexedTx>();

  constructor(opts: CometChainOptions = {}) {
    this.network = opts.network ?? 'cosmoshub-4';
    this.clock = new FamilyClock(opts.startHeight ?? 23_000_000, opts.blockTimeMs);
    this.clock.onAdvance((height) => {
      for (const [hash, tx] of this.cache)
        if (!this.indexed.has(hash)) this.indexed.set(hash, { height, tx });
    });
  }

  get height(): number {
    return this.clock.height;
  }

  /** The transactions committed at a height, in block order. */
  txsAt(height: number): IndexedTx[] {
    return [...this.indexed.values()].filter((t) => t.height === height);
  }

  blockHash(height: number): string {
    return sha256Hex(`${this.network}:block:${height}`).toUpperCase();
  }
}

export type CometCondition =
  | { kind: 'healthy' }
  | { kind: 'catching_up'; behind: number }
  /** In sync but a block or two behind (the newest block not received yet): not catching up. */
  | { kind: 'lagging'; behind: number };

export interface CometNodeOptions {
  chain: CometChain;
  /** A node of another network (wrong chain id). */
  network?: string | undefined;
  moniker?: string | undefined;
  /** `discard_abci_responses = true`: block_results is refused (tx_search still answers). */
  discardAbciResponses?: boolean | undefined;
}

function blockResultsOf(chain: CometChain, height: number) {
  return {
    height: String(height),
    txs_results: chain.txsAt(height).map((t) => txResult(t.tx)),
    finalize_block_events: [
      {
        type: 'mint',
        attributes: [
          { key: 'bonded_ratio', value: '0.650000000000000000', index: true },
          { key: 'amount', value: `${1000 + (height % 97)}`, index: true },
        ],
      },
    ],
    validator_updates: [],
    consensus_param_updates: null,
    app_hash: Buffer.from(sha256Hex(`app:${height}`), 'hex').toString('base64'),
  };
}

function internal(data: string): RpcOutcome {
  return { error: { code: -32603, message: 'Internal error', data } };
}

function named(params: unknown, name: string, index: number): unknown {
  if (Array.isArray(params)) return params[index];
  return typeof params === 'object' && params !== null
    ? (params as Record<string, unknown>)[name]
    : undefined;
}

/** Heights travel as decimal strings; numbers are accepted too. Undefined: the latest. */
function heightParam(params: unknown): number | undefined | 'bad' {
  const value = named(params, 'height', 0);
  if (value === undefined || value === null || value === '0' || value === 0) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 'bad';
}

export class CometNode {
  condition: CometCondition = { kind: 'healthy' };

  constructor(private readonly opts: CometNodeOptions) {}

  /** The height a `block`-like call asks for (latest when absent), or CometBFT's answer refusing it. */
  private heightOf(params: unknown): number | RpcOutcome {
    const asked = heightParam(params);
    if (asked === 'bad')
      return {
        error: { code: -32602, message: 'Invalid params', data: 'error converting json params to arguments' },
      };
    const height = asked ?? this.tip;
    if (height > this.tip)
      return internal(
        `height ${height} must be less than or equal to the current blockchain height ${this.tip}`,
      );
    return height;
  }

  private get chain(): CometChain {
    return this.opts.chain;
  }

  private get tip(): number {
    return Math.max(1, this.chain.height - (this.condition.kind === 'healthy' ? 0 : this.condition.behind));
  }

  readonly call: FamilyCall = (method, params) => {
    switch (method) {
      case 'status':
        return { result: this.status() };
      case 'health':
        return { result: {} };
      case 'abci_info':
        return {
          result: {
            response: {
              data: 'GaiaApp',
              version: 'v19.2.0',
              last_block_height: String(this.tip),
              last_block_app_hash: Buffer.from(sha256Hex(`app:${this.tip}`), 'hex').toString('base64'),
            },
          },
        };
      case 'block':
        return this.block(params);
      case 'block_results':
        return this.blockResults(params);
      case 'tx':
        return this.tx(params);
      case 'tx_search':
        return txSearch(
          [...this.chain.indexed.values()].filter((t) => t.height <= this.tip),
          params,
        );
      case 'broadcast_tx_sync':
      case 'broadcast_tx_async':
      case 'broadcast_tx_commit':
        return this.broadcast(method, params);
      default:
        return { error: { code: -32601, message: 'Method not found' } };
    }
  };

  private status(): unknown {
    const tip = this.tip;
    return {
      node_info: {
        protocol_version: { p2p: '8', block: '11', app: '0' },
        id: sha256Hex(`node:${this.opts.moniker ?? 'node'}`).slice(0, 40),
        listen_addr: 'tcp://0.0.0.0:26656',
        network: this.opts.network ?? this.chain.network,
        version: '0.38.17',
        channels: '40202122233038606100',
        moniker: this.opts.moniker ?? 'node',
        other: { tx_index: 'on', rpc_address: 'tcp://0.0.0.0:26657' },
      },
      sync_info: {
        latest_block_hash: this.chain.blockHash(tip),
        latest_app_hash: sha256Hex(`app:${tip}`).toUpperCase(),
        latest_block_height: String(tip),
        latest_block_time: new Date(1_700_000_000_000 + tip * 6000).toISOString(),
        earliest_block_hash: this.chain.blockHash(1),
        earliest_app_hash: sha256Hex('app:1').toUpperCase(),
        earliest_block_height: '1',
        earliest_block_time: new Date(1_700_000_006_000).toISOString(),
        catching_up: this.condition.kind === 'catching_up',
      },
      validator_info: {
        address: sha256Hex(`val:${this.opts.moniker ?? 'node'}`)
          .slice(0, 40)
          .toUpperCase(),
        pub_key: { type: 'tendermint/PubKeyEd25519', value: Buffer.alloc(32, 1).toString('base64') },
        voting_power: '0',
      },
    };
  }

  private block(params: unknown): RpcOutcome {
    const height = this.heightOf(params);
    if (typeof height !== 'number') return height;
    const hash = this.chain.blockHash(height);
    const partsHash = sha256Hex(`parts:${height}`).toUpperCase();
    const txs = this.chain.txsAt(height).map((t) => t.tx);
    return {
      result: {
        block_id: { hash, parts: { total: 1, hash: partsHash } },
        block: {
          header: {
            version: { block: '11' },
            chain_id: this.opts.network ?? this.chain.network,
            height: String(height),
            time: new Date(1_700_000_000_000 + height * 6000).toISOString(),
            last_block_id: {
              hash: this.chain.blockHash(height - 1),
              parts: { total: 1, hash: sha256Hex(`parts:${height - 1}`).toUpperCase() },
            },
            last_commit_hash: sha256Hex(`commit:${height - 1}`).toUpperCase(),
            data_hash: sha256Hex(`data:${height}`).toUpperCase(),
            validators_hash: sha256Hex('validators').toUpperCase(),
            next_validators_hash: sha256Hex('validators').toUpperCase(),
            consensus_hash: sha256Hex('consensus').toUpperCase(),
            app_hash: sha256Hex(`app:${height}`).toUpperCase(),
            last_results_hash: sha256Hex(`results:${height - 1}`).toUpperCase(),
            evidence_hash: '',
            proposer_address: sha256Hex(`proposer:${height % 7}`)
              .slice(0, 40)
              .toUpperCase(),
          },
          data: { txs },
          evidence: { evidence: [] },
          last_commit: {
            height: String(height - 1),
            round: 0,
            block_id: {
              hash: this.chain.blockHash(height - 1),
              parts: { total: 1, hash: sha256Hex(`parts:${height - 1}`).toUpperCase() },
            },
            signatures: [],
          },
        },
      },
    };
  }

  /** JSON-RPC sends the hash as base64 bytes; 0x-hex (URI style) and bare hex are accepted too. */
  private tx(params: unknown): RpcOutcome {
    const value = named(params, 'hash', 0);
    let hash: string | undefined;
    if (typeof value === 'string') {
      const bytes = /^(0x)?[0-9a-fA-F]{64}$/.test(value) ? hexToBytes(value) : base64ToBytes(value);
      hash = bytes && bytes.length === 32 ? Buffer.from(bytes).toString('hex').toUpperCase() : undefined;
    }
    if (hash === undefined)
      return { error: { code: -32602, message: 'Invalid params', data: 'invalid hash' } };
    const found = this.chain.indexed.get(hash);
    if (!found || found.height > this.tip) return internal(`tx (${hash}) not found`);
    return { result: resultTx(found, this.chain.txsAt(found.height).indexOf(found)) };
  }

  /** 0.38's block_results: each transaction's ExecTxResult and the FinalizeBlock events. */
  private blockResults(params: unknown): RpcOutcome {
    const height = this.heightOf(params);
    if (typeof height !== 'number') return height;
    // state/store.go LoadFinalizeBlockResponse (ErrFinalizeBlockResponsesNotPersisted).
    if (this.opts.discardAbciResponses) return internal('node is not persisting finalize block responses');
    return { result: blockResultsOf(this.chain, height) };
  }

  /** A NewBlock event's `data.value` for a height: what `block` and `block_results` show of it. */
  newBlockValue(height: number): unknown {
    const block = this.block({ height: String(height) });
    if (!('result' in block)) return undefined;
    const { block: b, block_id } = block.result as { block: unknown; block_id: unknown };
    const results = blockResultsOf(this.chain, height);
    const finalize: Record<string, unknown> = { events: results.finalize_block_events };
    if (results.txs_results.length > 0) finalize.tx_results = results.txs_results;
    finalize.app_hash = results.app_hash;
    return { block: b, block_id, result_finalize_block: finalize };
  }

  private broadcast(method: string, params: unknown): RpcOutcome {
    if (this.condition.kind === 'catching_up')
      return internal('endpoint is closed while node is catching up');
    const tx = named(params, 'tx', 0);
    const bytes = typeof tx === 'string' && tx.length > 0 ? base64ToBytes(tx) : undefined;
    if (!bytes || typeof tx !== 'string') {
      return {
        error: { code: -32602, message: 'Invalid params', data: 'error converting json params to arguments' },
      };
    }
    const hash = cometbftTxHash(bytes);
    if (this.chain.cache.has(hash)) return internal('tx already exists in cache');
    this.chain.cache.set(hash, tx);
    const checkTx = {
      code: 0,
      data: null,
      log: '',
      codespace: '',
      gas_wanted: '200000',
      gas_used: '0',
      events: [],
    };
    if (method === 'broadcast_tx_commit') {
      // The fake commits into the next block at once: one advance for the whole chain.
      const height = this.chain.clock.advance();
      return {
        result: {
          check_tx: checkTx,
          tx_result: txResult(tx),
          hash,
          height: String(height),
        },
      };
    }
    return { result: { code: 0, data: '', log: '', codespace: '', hash } };
  }
}
