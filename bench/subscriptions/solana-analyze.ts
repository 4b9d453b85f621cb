// What one Solana subscriber saw against what the cluster did: slots, account writes and confirmed
// signatures missed, duplicated and late. Pure: the truth and the record come in as data.
import { type DelaySummary, delays } from './analyze.js';
import type { SolanaSubscriberRecord } from './solana-subscriber.js';

export interface SolanaTruth {
  /**
   * Slots with a block in the window, when the cluster reached each, and when the first upstream (the
   * fastest) sent its slotNotification (undefined when no PubSub node announced it).
   */
  slots: { slot: number; atMs: number; announcedAtMs: number | undefined }[];
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
  /** Delay of each delivered slot after the fastest upstream announced it (issue 23: p99 within 10 ms). */
  slotDelayFromFastest: DelaySummary | null;
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
    slotDelayFromFastest: delays(
      inWindow.flatMap((s) =>
        s.announcedAtMs === undefined ? [] : [slotsSeen.get(s.slot)![0]! - s.announcedAtMs],
      ),
    ),
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
