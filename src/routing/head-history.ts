// When each new best head of a chain was first seen. An upstream's head is only as fresh as the
// answer it came from: one that carried no traffic lately is known through its last health check, a
// few seconds old, and compared with the best head of *that* moment it is not behind. Measured against
// the best head of now, every idle upstream would look lagging on a fast chain. Pure: time is passed in.

const KEEP = 512;

export class HeadHistory {
  private readonly atMs: number[] = [];
  private readonly heads: number[] = [];

  /** A head seen at `atMs`; only a new highest head is kept. */
  record(head: number, atMs: number): void {
    const n = this.heads.length;
    if (n > 0 && head <= this.heads[n - 1]!) return;
    this.atMs.push(n > 0 ? Math.max(atMs, this.atMs[n - 1]!) : atMs);
    this.heads.push(head);
    if (this.heads.length > KEEP) {
      this.atMs.shift();
      this.heads.shift();
    }
  }

  /** The highest head seen at or before `atMs` (the oldest kept one if that is older than all). */
  bestAt(atMs: number): number | undefined {
    const n = this.heads.length;
    if (n === 0) return undefined;
    let lo = 0;
    let hi = n - 1;
    if (this.atMs[0]! > atMs) return this.heads[0];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.atMs[mid]! <= atMs) lo = mid;
      else hi = mid - 1;
    }
    return this.heads[lo];
  }
}
