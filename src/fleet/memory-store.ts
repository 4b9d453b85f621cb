// The fleet store kept in one process's memory: what the cluster primary holds for its workers when no
// Redis is configured (primary-hub.ts). The same operations as the Redis store, in plain JS.
import { randomUUID } from 'node:crypto';
import type { Cordon } from '../cordons/cordon-request.js';
import { type Bucket, type Lease, leaseTokens } from './token-lease.js';

export class MemoryStore {
  readonly epoch = randomUUID();
  private readonly cordons = new Map<string, Cordon>();
  private readonly heads = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();

  loadCordons(nowMs: number): Cordon[] {
    for (const [target, c] of this.cordons) if (c.expiresAtMs <= nowMs) this.cordons.delete(target);
    return [...this.cordons.values()];
  }

  saveCordon(cordon: Cordon): void {
    this.cordons.set(cordon.target, cordon);
  }

  deleteCordon(target: string): void {
    this.cordons.delete(target);
  }

  raiseServedHead(chain: string, head: number): number {
    const value = Math.max(this.heads.get(chain) ?? 0, head);
    this.heads.set(chain, value);
    return value;
  }

  lease(key: string, ratePerSecond: number, burst: number, want: number, debt: number, nowMs: number): Lease {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    }
    return leaseTokens(bucket, ratePerSecond, burst, want, debt, nowMs);
  }
}
