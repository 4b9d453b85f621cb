// Figures of one families-scenario run (one family, one target) from its recording: reads and failed
// reads over the measured window (baseline, fault, recovery), p50/p99/max of the reads sent during
// the fault (failed ones included), and requests slower than SLOW_MS over the measured window. Pure.
import { OUTCOME, type Recording } from '../load/driver.js';
import { summarize } from '../load/stats.js';

export const FAMILY_SLOW_MS = 500;

export interface FamilyWindow {
  /** Epoch ms: end of the warm-up (start of the counted window). */
  measureFromMs: number;
  faultStartMs: number;
  faultEndMs: number;
}

export interface FamilyFigures {
  reads: number;
  failed: number;
  /** Reads sent during the fault. */
  readsInFault: number;
  p50InFaultMs: number | null;
  p99InFaultMs: number | null;
  maxInFaultMs: number | null;
  /** Requests slower than FAMILY_SLOW_MS, over the measured window. */
  slow: number;
  /** Share of the reads sent during the fault answered by the hung domain (0 means none). */
  hitShareInFault: number | null;
}

const round = (v: number | undefined | null) =>
  v === undefined || v === null ? null : Math.round(v * 100) / 100;

export function familyFigures(
  rec: Recording,
  w: FamilyWindow,
  hitUpstreams: ReadonlySet<string>,
): FamilyFigures {
  let reads = 0;
  let failed = 0;
  let slow = 0;
  let hit = 0;
  let answeredInFault = 0;
  const during: number[] = [];
  for (let i = 0; i < rec.n; i++) {
    const t = rec.startMs[i]!;
    if (t < w.measureFromMs) continue;
    reads++;
    const ms = rec.latencyUs[i]! / 1000;
    const ok = rec.outcome[i] === OUTCOME.ok;
    if (!ok) failed++;
    if (ms > FAMILY_SLOW_MS) slow++;
    if (t >= w.faultStartMs && t < w.faultEndMs) {
      during.push(ms);
      if (ok) {
        answeredInFault++;
        const name = rec.upstreamNames[rec.upstream[i]!];
        if (name !== undefined && hitUpstreams.has(name)) hit++;
      }
    }
  }
  const s = summarize(during);
  return {
    reads,
    failed,
    readsInFault: during.length,
    p50InFaultMs: round(s.p50),
    p99InFaultMs: round(s.p99),
    maxInFaultMs: round(s.max),
    slow,
    hitShareInFault: answeredInFault ? Math.round((hit / answeredInFault) * 1000) / 1000 : null,
  };
}
