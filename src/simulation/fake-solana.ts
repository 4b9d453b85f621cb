// A fake Solana RPC node (agave answer shapes) on a shared simulated cluster: slots advance for every
// node alike, block hashes derive from the genesis hash, one signature set (processed transactions).
// Conditions per node: behind by N slots (getHealth -32005 past agave's 128-slot distance, reads
// answer at the lagging slot, minContextSlot refused with -32016), or a different genesis hash.
import { base58Decode, base58Encode } from '../families/base58.js';
import { base64ToBytes } from '../families/bytes.js';
import { solanaTransactionId } from '../families/solana/index.js';
import { type FamilyCall, FamilyClock } from './family-wire.js';
import type { RpcOutcome } from './rpc-envelope.js';
import { sha256Hex } from './sim-hex.js';
import { type LedgerAccount, SolanaLedger, transactionAccountKeys } from './solana-ledger.js';

/** agave's default --health-check-slot-distance: behind by more is unhealthy. */
const SOLANA_HEALTH_SLOT_DISTANCE = 128;
/** Every 10th slot has no block (leader skipped), as on a real cluster where slot != block height. */
const SKIP_EVERY = 10;
const CONFIRMED_LAG = 1;
const FINALIZED_LAG = 32;
const MEMO_PROGRAM = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

export interface SolanaClusterOptions {
  /** Names the cluster: the genesis hash derives from it. */
  name?: string | undefined;
  startSlot?: number | undefined;
  slotTimeMs?: number | undefined;
}

function hash32(seed: string): string {
  return base58Encode(Buffer.from(sha256Hex(seed), 'hex'));
}

export class SolanaCluster {
  readonly genesisHash: string;
  readonly clock: FamilyClock;
  /** signature -> slot it was processed in. */
  readonly processed = new Map<string, number>();
  /** Account writes and transactions by slot (subscriptions, getBlock, account reads). */
  readonly ledger = new SolanaLedger();

  constructor(opts: SolanaClusterOptions = {}) {
    this.genesisHash = hash32(`solana-genesis:${opts.name ?? 'mainnet-beta'}`);
    this.clock = new FamilyClock(opts.startSlot ?? 300_000_000, opts.slotTimeMs);
  }

  get slot(): number {
    return this.clock.height;
  }

  isSkipped(slot: number): boolean {
    return slot > 0 && slot % SKIP_EVERY === 0;
  }

  /** Blocks produced up to a slot: slots minus the skipped ones. */
  blockHeight(slot: number): number {
    return slot - Math.floor(slot / SKIP_EVERY);
  }

  blockhash(slot: number): string {
    return hash32(`${this.genesisHash}:block:${slot}`);
  }
}

export type SolanaCondition = { kind: 'healthy' } | { kind: 'behind'; slots: number };

export interface SolanaNodeOptions {
  cluster: SolanaCluster;
  /** A node of another cluster (wrong genesis): answers this genesis hash instead. */
  genesisHash?: string | undefined;
}

const METHOD_NOT_FOUND: RpcOutcome = { error: { code: -32601, message: 'Method not found' } };

function invalidParams(message: string): RpcOutcome {
  return { error: { code: -32602, message: `Invalid params: ${message}.` } };
}

function config(params: unknown, index: number): Record<string, unknown> {
  const value = Array.isArray(params) ? params[index] : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isPubkey(value: unknown): value is string {
  return typeof value === 'string' && base58Decode(value)?.length === 32;
}

/** One node's view of the cluster and its answers. */
export class SolanaNode {
  condition: SolanaCondition = { kind: 'healthy' };

  constructor(private readonly opts: SolanaNodeOptions) {}

  private get cluster(): SolanaCluster {
    return this.opts.cluster;
  }

  private get behind(): number {
    return this.condition.kind === 'behind' ? this.condition.slots : 0;
  }

  /** The node's processed slot. */
  get tip(): number {
    return Math.max(0, this.cluster.slot - this.behind);
  }

  slotAt(commitment: unknown): number {
    if (commitment === 'processed') return this.tip;
    if (commitment === 'confirmed') return Math.max(0, this.tip - CONFIRMED_LAG);
    return Math.max(0, this.tip - FINALIZED_LAG); // agave's default commitment is finalized
  }

  /** The context of an answer, or -32016 when the caller asked for a slot this node has not reached. */
  private context(params: unknown, index: number): { slot: number; apiVersion: string } | RpcOutcome {
    const c = config(params, index);
    const slot = this.slotAt(c.commitment);
    if (typeof c.minContextSlot === 'number' && c.minContextSlot > slot) {
      return {
        error: {
          code: -32016,
          message: 'Minimum context slot has not been reached',
          data: { contextSlot: slot },
        },
      };
    }
    return { slot, apiVersion: '2.2.0' };
  }

  private withContext(params: unknown, index: number, value: (slot: number) => unknown): RpcOutcome {
    const context = this.context(params, index);
    if ('error' in context) return context;
    return { result: { context, value: value((context as { slot: number }).slot) } };
  }

  readonly call: FamilyCall = (method, params) => {
    const p = Array.isArray(params) ? params : [];
    const cluster = this.cluster;
    switch (method) {
      case 'getGenesisHash':
        return { result: this.opts.genesisHash ?? cluster.genesisHash };
      case 'getHealth':
        return this.behind > SOLANA_HEALTH_SLOT_DISTANCE
          ? {
              error: {
                code: -32005,
                message: `Node is behind by ${this.behind} slots`,
                data: { numSlotsBehind: this.behind },
              },
            }
          : { result: 'ok' };
      case 'getSlot':
        return { result: this.slotAt(config(params, 0).commitment) };
      case 'getBlockHeight':
        return { result: cluster.blockHeight(this.slotAt(config(params, 0).commitment)) };
      case 'getEpochInfo': {
        const slot = this.slotAt(config(params, 0).commitment);
        return {
          result: {
            absoluteSlot: slot,
            blockHeight: cluster.blockHeight(slot),
            epoch: Math.floor(slot / 432_000),
            slotIndex: slot % 432_000,
            slotsInEpoch: 432_000,
            transactionCount: null,
          },
        };
      }
      case 'getVersion':
        return { result: { 'solana-core': '2.2.0', 'feature-set': 3294202862 } };
      case 'getBalance':
        if (!isPubkey(p[0])) return invalidParams('Invalid');
        return this.withContext(params, 1, (slot) => this.account(p[0] as string, slot).lamports);
      case 'getAccountInfo':
        if (!isPubkey(p[0])) return invalidParams('Invalid');
        return this.withContext(params, 1, (slot) => accountJson(this.account(p[0] as string, slot)));
      case 'getProgramAccounts':
        return this.programAccounts(p);
      case 'getLatestBlockhash':
        return this.withContext(params, 0, (slot) => ({
          blockhash: cluster.blockhash(slot),
          lastValidBlockHeight: cluster.blockHeight(slot) + 150,
        }));
      case 'getBlock':
        return this.block(p[0], config(params, 1).commitment);
      case 'getSignatureStatuses': {
        const signatures = Array.isArray(p[0]) ? p[0] : [];
        return this.withContext(params, 1, () =>
          signatures.map((s) => {
            const slot = typeof s === 'string' ? cluster.processed.get(s) : undefined;
            if (slot === undefined || slot > this.tip) return null;
            const depth = this.tip - slot;
            const finalized = depth >= FINALIZED_LAG;
            return {
              slot,
              confirmations: finalized ? null : depth,
              err: null,
              status: { Ok: null },
              confirmationStatus: finalized
                ? 'finalized'
                : depth >= CONFIRMED_LAG
                  ? 'confirmed'
                  : 'processed',
            };
          }),
        );
      }
      case 'sendTransaction':
        return this.send(p);
      default:
        return METHOD_NOT_FOUND;
    }
  };

  /** The account as of a slot: its last write, or a state derived from its address. */
  accountAt(pubkey: string, slot: number): LedgerAccount {
    return this.account(pubkey, slot);
  }

  private account(pubkey: string, slot: number): LedgerAccount {
    return (
      this.cluster.ledger.accountAt(pubkey, slot) ?? {
        lamports: Number.parseInt(sha256Hex(`lamports:${pubkey}`).slice(0, 10), 16),
        owner: '11111111111111111111111111111111',
        data: '',
      }
    );
  }

  private programAccounts(p: unknown[]): RpcOutcome {
    if (!isPubkey(p[0])) return invalidParams('Invalid');
    const c = config(p, 1);
    const list = (slot: number) =>
      this.cluster.ledger
        .accountsOf(p[0] as string, slot)
        .map(({ pubkey, state }) => ({ pubkey, account: accountJson(state) }));
    if (c.withContext === true) return this.withContext(p, 1, list);
    const context = this.context(p, 1);
    if ('error' in context) return context;
    return { result: list((context as { slot: number }).slot) };
  }

  private block(slot: unknown, commitment: unknown): RpcOutcome {
    if (typeof slot !== 'number' || !Number.isSafeInteger(slot) || slot < 0)
      return invalidParams('invalid slot');
    const cluster = this.cluster;
    if (slot > this.slotAt(commitment === 'confirmed' ? 'confirmed' : 'finalized')) {
      return { error: { code: -32004, message: `Block not available for slot ${slot}` } };
    }
    if (cluster.isSkipped(slot)) {
      return {
        error: {
          code: -32007,
          message: `Slot ${slot} was skipped, or missing due to ledger jump to recent snapshot`,
        },
      };
    }
    const parent = cluster.isSkipped(slot - 1) ? slot - 2 : slot - 1;
    return {
      result: {
        blockHeight: cluster.blockHeight(slot),
        blockTime: 1_700_000_000 + Math.floor(slot * 0.4),
        blockhash: cluster.blockhash(slot),
        parentSlot: parent,
        previousBlockhash: cluster.blockhash(parent),
        rewards: [],
        transactions: cluster.ledger.transactionsAt(slot).map((tx) => ({
          meta: { err: null, fee: 5000, logMessages: tx.logs, status: { Ok: null } },
          transaction: { message: { accountKeys: tx.accountKeys }, signatures: [tx.signature] },
        })),
      },
    };
  }

  private send(p: unknown[]): RpcOutcome {
    const c = config(p, 1);
    const encoded = p[0];
    if (typeof encoded !== 'string') return invalidParams('invalid transaction');
    const wire = c.encoding === 'base64' ? base64ToBytes(encoded) : base58Decode(encoded);
    const signature = wire ? solanaTransactionId(wire) : undefined;
    if (signature === undefined) {
      return {
        error: {
          code: -32602,
          message: 'failed to deserialize solana_transaction::versioned::VersionedTransaction',
        },
      };
    }
    const preflight = c.skipPreflight !== true;
    // agave checks health before simulating: an unhealthy node forwards nothing.
    if (preflight && this.behind > SOLANA_HEALTH_SLOT_DISTANCE) {
      return {
        error: {
          code: -32005,
          message: `Node is behind by ${this.behind} slots`,
          data: { numSlotsBehind: this.behind },
        },
      };
    }
    if (this.cluster.processed.has(signature)) {
      // Without preflight the node just forwards again and answers the signature.
      if (!preflight) return { result: signature };
      return {
        error: {
          code: -32002,
          message: 'Transaction simulation failed: This transaction has already been processed',
          data: { accounts: null, err: 'AlreadyProcessed', logs: [], returnData: null, unitsConsumed: 0 },
        },
      };
    }
    const slot = this.cluster.slot;
    this.cluster.processed.set(signature, slot);
    const accountKeys = (wire && transactionAccountKeys(wire)) ?? [];
    this.cluster.ledger.addTransaction({ signature, slot, accountKeys, logs: memoLogs(accountKeys) });
    return { result: signature };
  }
}

/** agave's account JSON (base64 encoding). */
export function accountJson(state: LedgerAccount): Record<string, unknown> {
  return {
    data: [state.data, 'base64'],
    executable: false,
    lamports: state.lamports,
    owner: state.owner,
    rentEpoch: 0,
    space: Buffer.from(state.data, 'base64').length,
  };
}

/** The log lines agave writes for a transaction (a memo one when it calls the memo program). */
function memoLogs(accountKeys: readonly string[]): string[] {
  if (!accountKeys.includes(MEMO_PROGRAM)) return [];
  return [
    `Program ${MEMO_PROGRAM} invoke [1]`,
    'Program log: Memo (len 1)',
    `Program ${MEMO_PROGRAM} success`,
  ];
}
