// The HTTP side of a Solana watch: what it reads to fill what a feed may have missed (after a
// failover) or to follow where no PubSub socket is up (polling). Each read offers its findings to the
// watch as 'reread', so only what the client has not seen goes out.
import { rawAt, rawElements } from './raw-result.js';
import type { SolanaReads } from './solana-reads.js';
import type { Commitment } from './solana-requests.js';
import type { SolanaWatch } from './solana-watch.js';

const RANK: Readonly<Record<string, number>> = { processed: 0, confirmed: 1, finalized: 2 };
/** Slots between a commitment and the newest slot, roughly: where a re-read or backfill starts. */
export const COMMITMENT_LAG: Readonly<Record<Commitment, number>> = {
  processed: 2,
  confirmed: 4,
  finalized: 40,
};
const VOTE_PROGRAM = '"Vote111111111111111111111111111111111111111"';

export interface LogsProgress {
  /** First slot whose block is still to be read, or undefined when there is nothing to backfill. */
  from: number | undefined;
  /** Slots skipped because the gap was deeper than the bound. */
  skipped: number;
}

/** The state an account watch begins from, so a re-read after a failover knows what is news. */
export async function accountBaseline(watch: SolanaWatch, reads: SolanaReads): Promise<void> {
  const spec = watch.spec;
  const raw = await reads.withContext('getAccountInfo', [
    spec.target,
    { ...spec.readConfig, commitment: spec.commitment },
  ]);
  if (raw !== undefined && rawAt(raw, ['value']) !== 'null') watch.offer(raw, 'baseline');
}

/** One read for a watch; true when it got an answer (whether or not anything was new). */
export async function reread(watch: SolanaWatch, reads: SolanaReads, floorSlot: number): Promise<boolean> {
  const spec = watch.spec;
  const minContextSlot = Math.max(0, watch.lastSlot, floorSlot);
  switch (spec.kind) {
    case 'slot': {
      const [slot, root] = await Promise.all([reads.slot('processed'), reads.slot('finalized')]);
      if (slot === undefined) return false;
      watch.offer(`{"parent":${slot - 1},"root":${root ?? 0},"slot":${slot}}`, 'reread');
      return true;
    }
    case 'root': {
      const root = await reads.slot('finalized');
      if (root !== undefined) watch.offer(String(root), 'reread');
      return root !== undefined;
    }
    case 'signature':
      return signatureStatus(watch, reads);
    case 'account': {
      const config = { ...spec.readConfig, commitment: spec.commitment, minContextSlot };
      const raw = await reads.withContext('getAccountInfo', [spec.target, config]);
      if (raw === undefined) return false;
      // No account (null) is no notification: agave notifies writes, and a closed account is a write.
      if (rawAt(raw, ['value']) !== 'null') watch.offer(raw, 'reread');
      return true;
    }
    case 'program': {
      const config = { ...spec.readConfig, commitment: spec.commitment, minContextSlot };
      const raw = await reads.programAccounts(spec.target, config);
      const context = raw && rawAt(raw, ['context']);
      const list = raw && rawElements(rawAt(raw, ['value']) ?? '');
      if (!context || !list) return false;
      for (const keyed of list) watch.offer(`{"context":${context},"value":${keyed}}`, 'reread');
      return true;
    }
    case 'logs':
      return false; // logs are backfilled by slot range (backfillLogs)
  }
}

async function signatureStatus(watch: SolanaWatch, reads: SolanaReads): Promise<boolean> {
  const spec = watch.spec;
  const raw = await reads.withContext('getSignatureStatuses', [
    [spec.target],
    { searchTransactionHistory: false },
  ]);
  if (raw === undefined) return false;
  const context = rawAt(raw, ['context']);
  const status = rawElements(rawAt(raw, ['value']) ?? '')?.[0];
  if (!context || status === undefined || status === 'null') return true;
  if (spec.received) watch.offer(`{"context":${context},"value":"receivedSignature"}`, 'reread');
  // A status without confirmationStatus is from a node older than 1.5: rooted, i.e. finalized.
  const reached = JSON.parse(rawAt(status, ['confirmationStatus']) ?? '"finalized"') as string | null;
  if ((RANK[reached ?? 'finalized'] ?? -1) < (RANK[spec.commitment] ?? 2)) return true;
  const err = rawAt(status, ['err']) ?? 'null';
  watch.offer(`{"context":${context},"value":{"err":${err}}}`, 'reread');
  return true;
}

/**
 * Reads the blocks of the slots a logs watch may have missed, oldest first, and offers each matching
 * transaction (each signature goes out once). At most `depth` slots: older ones are skipped, counted.
 */
export async function backfillLogs(
  watch: SolanaWatch,
  reads: SolanaReads,
  progress: LogsProgress,
  depth: number,
): Promise<boolean> {
  const spec = watch.spec;
  const readAt: Commitment = spec.commitment === 'processed' ? 'confirmed' : spec.commitment;
  const to = await reads.slot(readAt);
  if (to === undefined) return false;
  let from = progress.from ?? to + 1;
  if (to - from + 1 > depth) {
    progress.skipped += to - from + 1 - depth;
    from = to - depth + 1;
  }
  for (let slot = from; slot <= to; slot++) {
    const block = await reads.block(slot, readAt);
    if (block === undefined) {
      progress.from = slot;
      return false;
    }
    if (block !== null) offerBlockLogs(watch, slot, block);
  }
  progress.from = to + 1;
  return true;
}

function offerBlockLogs(watch: SolanaWatch, slot: number, block: string): void {
  const { mentions, withVotes } = watch.spec;
  for (const tx of rawElements(rawAt(block, ['transactions']) ?? '') ?? []) {
    const signature = rawElements(rawAt(tx, ['transaction', 'signatures']) ?? '')?.[0];
    if (!signature) continue;
    const keys = [
      ...(rawElements(rawAt(tx, ['transaction', 'message', 'accountKeys']) ?? '') ?? []),
      ...(rawElements(rawAt(tx, ['meta', 'loadedAddresses', 'writable']) ?? '') ?? []),
      ...(rawElements(rawAt(tx, ['meta', 'loadedAddresses', 'readonly']) ?? '') ?? []),
    ];
    if (mentions !== undefined && !keys.includes(`"${mentions}"`)) continue;
    if (mentions === undefined && !withVotes && keys.includes(VOTE_PROGRAM)) continue;
    const err = rawAt(tx, ['meta', 'err']) ?? 'null';
    const logs = rawAt(tx, ['meta', 'logMessages']) ?? '[]';
    watch.offer(
      `{"context":{"slot":${slot}},"value":{"signature":${signature},"err":${err},"logs":${logs}}}`,
      'reread',
    );
  }
}
