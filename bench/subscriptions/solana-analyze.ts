// What one Solana subscriber saw against what the cluster did: slots, account writes and confirmed
// signatures missed, duplicated and late. Pure: the truth and the record come in as data.
import { quantileSorted } from '../load/stats.js';
import type { DelaySummary } from './analyze.js';
import type { SolanaSubscriberRecord } from './solana-subscriber.js';

export interface SolanaTruth {
  /** Slots with a block in the window, and when the cluster reached each. */
  slots: { slot: number; atMs: number }[];
  /** Account writes in the window: lamports (unique per write) and when written. */
  writes: { lamports: number; atMs: number }[];
  /** Transactions sent in the window, and when each reached "confirmed". */
  signatures: { signature: string; confirmedAtMs: number | undefined }[];
}

export interface SolanaFigures {
  slots: number;
  slotsMissed: number;
  slotsDuplicated: number;
  slotDelay: DelaySummary | null;
  writes: number;
  writesMissed: number;
  writesDuplicated: number;
  /** The last write's state was delivered. */
  finalStateDelivered: boolean;
  signatures: number;
  signaturesMissed: number;
  signaturesDuplicated: number;
  signatureDelay: DelaySummary | null;
  connections: number;
  failedAttempts: number;
  sameConnection: boolean;
}

function delays(values: number[]): DelaySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    p50Ms: round(quantileSorted(sorted, 0.5)!),
    p99Ms: round(quantileSorted(sorted, 0.99)!),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

export function analyzeSolana(truth: SolanaTruth, record: SolanaSubscriberRecord): SolanaFigures {
  const slotsSeen = new Map<number, number[]>();
  for (const s of record.slots) slotsSeen.set(s.slot, [...(slotsSeen.get(s.slot) ?? []), s.atMs]);
  const inWindow = truth.slots.filter((s) => slotsSeen.has(s.slot));
  const writesSeen = new Map<number, number>();
  for (const a of record.accounts) writesSeen.set(a.lamports, (writesSeen.get(a.lamports) ?? 0) + 1);
  const sigSeen = new Map<string, number[]>();
  for (const s of record.signatures) sigSeen.set(s.signature, [...(sigSeen.get(s.signature) ?? []), s.atMs]);
  const last = truth.writes.at(-1);
  return {
    slots: truth.slots.length,
    slotsMissed: truth.slots.length - inWindow.length,
    slotsDuplicated: truth.slots.reduce(
      (n, s) => n + Math.max(0, (slotsSeen.get(s.slot)?.length ?? 0) - 1),
      0,
    ),
    slotDelay: delays(inWindow.map((s) => slotsSeen.get(s.slot)![0]! - s.atMs)),
    writes: truth.writes.length,
    writesMissed: truth.writes.filter((w) => !writesSeen.has(w.lamports)).length,
    writesDuplicated: truth.writes.reduce(
      (n, w) => n + Math.max(0, (writesSeen.get(w.lamports) ?? 0) - 1),
      0,
    ),
    finalStateDelivered: last === undefined || writesSeen.has(last.lamports),
    signatures: truth.signatures.length,
    signaturesMissed: truth.signatures.filter((s) => !sigSeen.has(s.signature)).length,
    signaturesDuplicated: truth.signatures.reduce(
      (n, s) => n + Math.max(0, (sigSeen.get(s.signature)?.length ?? 0) - 1),
      0,
    ),
    signatureDelay: delays(
      truth.signatures.flatMap((s) => {
        const at = sigSeen.get(s.signature)?.[0];
        return at !== undefined && s.confirmedAtMs !== undefined ? [at - s.confirmedAtMs] : [];
      }),
    ),
    connections: record.connections,
    failedAttempts: record.failedAttempts,
    sameConnection: record.connections === 1,
  };
}
