// What a fake Solana cluster has written: account states by slot (so a node behind, or a read at an
// older commitment, sees the state of its own slot) and the transactions of each slot with their log
// lines and account keys (for getBlock, logsSubscribe and signatureSubscribe). Bounded: old slots go.
import { base58Encode } from '../families/base58.js';

export interface LedgerAccount {
  lamports: number;
  owner: string;
  /** Account data, base64. */
  data: string;
}

export interface LedgerTransaction {
  signature: string;
  slot: number;
  accountKeys: string[];
  logs: string[];
}

/** Writes and transactions older than this many slots are forgotten (newest state kept). */
const KEEP_SLOTS = 2000;
const SYSTEM_PROGRAM = '11111111111111111111111111111111';

export type LedgerListener = (
  event: { kind: 'account'; pubkey: string } | { kind: 'tx'; tx: LedgerTransaction },
) => void;

export class SolanaLedger {
  private readonly writes = new Map<string, { slot: number; state: LedgerAccount }[]>();
  private readonly txsBySlot = new Map<number, LedgerTransaction[]>();
  private readonly listeners: LedgerListener[] = [];

  onChange(listener: LedgerListener): void {
    this.listeners.push(listener);
  }

  /** The account's state as of `slot`, or undefined when it was never written (callers derive one). */
  accountAt(pubkey: string, slot: number): LedgerAccount | undefined {
    const history = this.writes.get(pubkey);
    if (!history) return undefined;
    for (let i = history.length - 1; i >= 0; i--) if (history[i]!.slot <= slot) return history[i]!.state;
    return undefined;
  }

  /** The slot of the account's newest write at or before `slot`. */
  writtenAt(pubkey: string, slot: number): number | undefined {
    const history = this.writes.get(pubkey) ?? [];
    for (let i = history.length - 1; i >= 0; i--) if (history[i]!.slot <= slot) return history[i]!.slot;
    return undefined;
  }

  /** Accounts owned by `owner` as of `slot`. */
  accountsOf(owner: string, slot: number): { pubkey: string; state: LedgerAccount }[] {
    const out: { pubkey: string; state: LedgerAccount }[] = [];
    for (const pubkey of this.writes.keys()) {
      const state = this.accountAt(pubkey, slot);
      if (state?.owner === owner) out.push({ pubkey, state });
    }
    return out;
  }

  pubkeys(): string[] {
    return [...this.writes.keys()];
  }

  write(pubkey: string, slot: number, state: Partial<LedgerAccount> & { lamports: number }): void {
    const history = this.writes.get(pubkey) ?? [];
    const full = { owner: SYSTEM_PROGRAM, data: '', ...state };
    if (history.at(-1)?.slot === slot) history[history.length - 1] = { slot, state: full };
    else history.push({ slot, state: full });
    while (history.length > 1 && history[1]!.slot < slot - KEEP_SLOTS) history.shift();
    this.writes.set(pubkey, history);
    for (const l of this.listeners) l({ kind: 'account', pubkey });
  }

  addTransaction(tx: LedgerTransaction): void {
    const list = this.txsBySlot.get(tx.slot) ?? [];
    list.push(tx);
    this.txsBySlot.set(tx.slot, list);
    for (const s of this.txsBySlot.keys()) if (s < tx.slot - KEEP_SLOTS) this.txsBySlot.delete(s);
    for (const l of this.listeners) l({ kind: 'tx', tx });
  }

  transactionsAt(slot: number): readonly LedgerTransaction[] {
    return this.txsBySlot.get(slot) ?? [];
  }
}

function compactU16(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 3; i++) {
    const b = bytes[at + i];
    if (b === undefined) return undefined;
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** The static account keys of a wire transaction (legacy or v0), base58; undefined when malformed. */
export function transactionAccountKeys(wire: Uint8Array): string[] | undefined {
  const sigs = compactU16(wire, 0);
  if (!sigs) return undefined;
  let at = sigs.next + 64 * sigs.value;
  if (((wire[at] ?? 0) & 0x80) !== 0) at++; // versioned message prefix
  at += 3; // header
  const count = compactU16(wire, at);
  if (!count || count.next + 32 * count.value > wire.length) return undefined;
  const keys: string[] = [];
  for (let i = 0; i < count.value; i++) {
    const start = count.next + 32 * i;
    keys.push(base58Encode(wire.subarray(start, start + 32)));
  }
  return keys;
}
