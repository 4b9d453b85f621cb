// The in-order queue of log events of one chain feed: each canonical block's logs go out once, after
// those of every block before it; a block orphaned before its logs went out cancels them, one orphaned
// after sends them again with `removed: true`.
import type { FeedEvent } from '../routing/observer.js';
import type { BlockHeader, Log } from './block-header.js';
import { RETRY_MAX_MS, RETRY_MIN_MS } from './feed-retry.js';

interface LogEntry {
  kind: 'add' | 'remove';
  block: BlockHeader;
  /** add: its sequence number; remove: the sequence number of the add it undoes. */
  seq: number;
  /** The block was orphaned before its logs went out: they never will. */
  cancelled: boolean;
  /** Fetched to fill a gap, not announced by a source. */
  backfilled: boolean;
}

interface DeliveredLogs {
  seq: number;
  logs: Log[];
}

export class LogQueue {
  private readonly queue: LogEntry[] = [];
  private readonly delivered = new Map<string, DeliveredLogs>();
  private seq = 0;
  private pumping = false;

  constructor(
    private readonly isRunning: () => boolean,
    private readonly fetchLogs: (block: BlockHeader) => Promise<Log[] | undefined>,
    private readonly send: (logs: Log[], seq: number, removed: boolean) => void,
    private readonly event: (event: FeedEvent, count: number) => void,
  ) {}

  /** The sequence number of the latest block queued; a subscription made now sees only later ones. */
  get lastSeq(): number {
    return this.seq;
  }

  add(block: BlockHeader, backfilled: boolean): void {
    this.queue.push({ kind: 'add', block, seq: ++this.seq, cancelled: false, backfilled });
  }

  /** The block left the canonical chain: its logs go out again as removed, or never if not yet sent. */
  unwind(block: BlockHeader): void {
    const queued = this.queue.find((e) => e.kind === 'add' && e.block.hash === block.hash);
    if (queued) {
      queued.cancelled = true;
      return;
    }
    const sent = this.delivered.get(block.hash);
    if (sent) this.queue.push({ kind: 'remove', block, seq: sent.seq, cancelled: false, backfilled: false });
  }

  /** Forgets the logs sent for all but the latest `limit` blocks (deeper reorgs cannot unwind them). */
  forgetOld(limit: number): void {
    for (const hash of this.delivered.keys()) {
      if (this.delivered.size <= limit) break;
      this.delivered.delete(hash);
    }
  }

  clear(): void {
    this.queue.length = 0;
    this.delivered.clear();
  }

  /** Delivers queued log events strictly in order; a block's logs are fetched until some upstream has them. */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const entry = this.queue[0];
        if (!this.isRunning() || entry === undefined) break;
        if (entry.kind === 'add' && !entry.cancelled) {
          const logs = await this.logsOf(entry);
          if (logs && !entry.cancelled && this.isRunning()) {
            this.send(logs, entry.seq, false);
            if (entry.backfilled && logs.length > 0) this.event('backfilled_log', logs.length);
            this.delivered.set(entry.block.hash, { seq: entry.seq, logs });
          }
        } else if (entry.kind === 'remove') {
          const sent = this.delivered.get(entry.block.hash);
          if (sent) this.send(sent.logs, sent.seq, true);
          this.delivered.delete(entry.block.hash);
        }
        if (this.queue[0] === entry) this.queue.shift();
      }
    } finally {
      this.pumping = false;
    }
  }

  private async logsOf(entry: LogEntry): Promise<Log[] | undefined> {
    let waitMs = RETRY_MIN_MS;
    while (this.isRunning() && !entry.cancelled) {
      const logs = await this.fetchLogs(entry.block);
      if (logs) return logs;
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      waitMs = Math.min(RETRY_MAX_MS, waitMs * 2);
    }
    return undefined;
  }
}
