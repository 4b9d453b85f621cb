// Slow start after a recovery as a share of the chain's picks, not a cost penalty: an upstream that
// comes back takes the next pick it can serve (it just passed its probes; a wallet at a few reads a
// second would otherwise wait seconds for it to win on cost), then at most `factor` of
// the chain's picks since it came back, the factor growing from 0.1 to 1 over `routing.slowStart`
// (Envoy's slow start with its 10 % floor). Within that share it competes on cost like any other.

/** Share allowed at the start of the ramp. */
const FLOOR = 0.1;

export class SlowStartRamp {
  /** When the ramp began (in the future while a throttle back-off runs); undefined: no ramp. */
  startMs: number | undefined;
  private picks = 0;
  /** The chain's pick count when the ramp was first consulted: picks before that are not its share. */
  private chainPicksAtStart: number | undefined;

  start(atMs: number): void {
    this.startMs = atMs;
    this.picks = 0;
    this.chainPicksAtStart = undefined;
  }

  /** The allowed share in (0, 1]; 1 once the ramp is over (or none runs). */
  factor(nowMs: number, slowStartMs: number): number {
    if (this.startMs === undefined || slowStartMs <= 0) return 1;
    const elapsed = nowMs - this.startMs;
    if (elapsed >= slowStartMs) {
      this.startMs = undefined;
      return 1;
    }
    return Math.max(FLOOR, elapsed / slowStartMs);
  }

  /** Whether the next pick may go to this upstream, given the chain's running pick count. */
  admits(nowMs: number, slowStartMs: number, chainPicks: number): boolean {
    const share = this.factor(nowMs, slowStartMs);
    if (share >= 1) return true;
    this.chainPicksAtStart ??= chainPicks;
    return this.picks === 0 || this.picks < share * (chainPicks - this.chainPicksAtStart);
  }

  /** Back (the ramp has begun) and not picked since: its first pick is due. */
  awaitsFirstPick(nowMs: number): boolean {
    return this.startMs !== undefined && nowMs >= this.startMs && this.picks === 0;
  }

  recordPick(): void {
    if (this.startMs !== undefined) this.picks++;
  }
}
