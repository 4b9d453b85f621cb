// The targets of issue 20, checked on every Switchyard row of the low-traffic group: the failing
// domain opens within 100 ms at >= 50 reads/s, 250 ms at 5 reads/s and 1 s at 0 reads/s; zero failed
// reads; p99 during the fault at most the baseline p99 + 25 ms; back in rotation within 1 s of the
// heal. Figures, never assertions: a miss is reported as such. Pure.
import type { LowTrafficRow } from './analyze.js';
import { detectionBoundMs, faultLabel } from './plan.js';

type RowCheckKind = 'detect' | 'failed' | 'p99' | 'rotation';
const ROW_CHECK_KINDS: RowCheckKind[] = ['detect', 'failed', 'p99', 'rotation'];

/** p99 during the fault may exceed the baseline p99 by this much. */
export const P99_SLACK_MS = 25;
/** The hit upstreams must carry reads again within this long after the heal. */
export const ROTATION_BOUND_MS = 1000;

export interface RowCheck {
  kind: RowCheckKind;
  /** What is demanded, in words. */
  target: string;
  figure: string;
  /** null: not applicable (no reads at 0 reads/s) or not measured. */
  met: boolean | null;
}

function checkTarget(kind: RowCheckKind, level: number): string {
  switch (kind) {
    case 'detect': {
      const bound = detectionBoundMs(level);
      return `domain opens within ${bound >= 1000 ? `${bound / 1000} s` : `${bound} ms`}`;
    }
    case 'failed':
      return 'zero failed reads';
    case 'p99':
      return `p99 during the fault ≤ baseline p99 + ${P99_SLACK_MS} ms`;
    case 'rotation':
      return `back in rotation within ${ROTATION_BOUND_MS / 1000} s of the heal`;
  }
}

function rotationCheck(row: LowTrafficRow): RowCheck {
  const f = row.figures;
  const r = f.rotation;
  const signalMet = r.state === 'back' ? r.ms !== null && r.ms <= ROTATION_BOUND_MS : r.state === 'never out';
  const signal =
    r.state === 'back'
      ? `/status ${r.ms} ms`
      : r.state === 'never out'
        ? '/status: never taken out'
        : '/status: still out at the end';
  if (row.level === 0)
    return { kind: 'rotation', target: checkTarget('rotation', 0), figure: signal, met: signalMet };
  const readMet = f.recoverReadMs !== null && f.recoverReadMs <= ROTATION_BOUND_MS;
  const read =
    f.recoverReadMs === null ? 'no read answered by a hit upstream' : `first read ${f.recoverReadMs} ms`;
  return {
    kind: 'rotation',
    target: checkTarget('rotation', row.level),
    figure: `${signal}; ${read}`,
    met: signalMet && readMet,
  };
}

/** The four checks of one Switchyard row. */
export function rowChecks(row: LowTrafficRow): RowCheck[] {
  const f = row.figures;
  const bound = detectionBoundMs(row.level);
  const out: RowCheck[] = [
    {
      kind: 'detect',
      target: checkTarget('detect', row.level),
      figure: f.detectMs === null ? 'never' : `${f.detectMs} ms (${f.detectSource})`,
      met: f.detectMs !== null && f.detectMs <= bound,
    },
  ];
  if (row.level === 0) {
    out.push({ kind: 'failed', target: checkTarget('failed', 0), figure: 'no reads', met: null });
    out.push({ kind: 'p99', target: checkTarget('p99', 0), figure: 'no reads', met: null });
  } else {
    const failed = f.failed + f.droppedReads;
    out.push({
      kind: 'failed',
      target: checkTarget('failed', row.level),
      figure: `${failed} of ${f.reads + f.droppedReads}`,
      met: failed === 0,
    });
    const measured = f.p99InFaultMs !== null && f.baselineP99Ms !== null;
    out.push({
      kind: 'p99',
      target: checkTarget('p99', row.level),
      figure: measured ? `${f.p99InFaultMs} vs ${f.baselineP99Ms} ms` : 'not measured',
      met: measured ? f.p99InFaultMs! <= f.baselineP99Ms! + P99_SLACK_MS : null,
    });
  }
  out.push(rotationCheck(row));
  return out;
}

/** Which rows a check line covers: the EVM chain's faults, or the other families' (solana, bitcoin, cometbft). */
type CheckScope = 'evm' | 'families';
const SCOPES: CheckScope[] = ['evm', 'families'];

function scopeOf(row: LowTrafficRow): CheckScope {
  return row.chain === 'ethereum' ? 'evm' : 'families';
}

/** The same check over every fault of a scope at one read rate: met when every applicable row met it. */
export interface LevelCheck {
  scope: CheckScope;
  level: number;
  kind: RowCheckKind;
  target: string;
  figure: string;
  met: boolean | null;
}

export function levelChecks(rows: LowTrafficRow[]): LevelCheck[] {
  const out: LevelCheck[] = [];
  for (const scope of SCOPES) {
    const mine = rows.filter((r) => r.target === 'switchyard' && scopeOf(r) === scope);
    const levels = [...new Set(mine.map((r) => r.level))].sort((a, b) => a - b);
    for (const level of levels) {
      const atLevel = mine.filter((r) => r.level === level);
      for (const kind of ROW_CHECK_KINDS) {
        const checks = atLevel.map((r) => ({
          fault: faultLabel(r.fault, r.chain),
          check: rowChecks(r).find((c) => c.kind === kind)!,
        }));
        const applicable = checks.filter((c) => c.check.met !== null);
        out.push({
          scope,
          level,
          kind,
          target: checkTarget(kind, level),
          figure: checks.map((c) => `${c.fault}: ${c.check.figure}`).join('; '),
          met: applicable.length === 0 ? null : applicable.every((c) => c.check.met === true),
        });
      }
    }
  }
  return out;
}
