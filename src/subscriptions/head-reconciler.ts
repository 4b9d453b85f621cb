// Moves the canonical chain to the newest head any source announced: one reconciliation at a time
// (gaps backfilled, reorgs unwound), the newest head announced meanwhile next. A block no upstream has
// yet is asked for again after a doubling wait.
import type { Logger } from '../log/logger.js';
import type { BlockHeader } from './block-header.js';
import { type BlockFetcher, type CanonicalChain, type ChainChange, MissingBlock } from './canonical-chain.js';
import { RETRY_MAX_MS, RETRY_MIN_MS } from './feed-retry.js';

export class HeadReconciler {
  private pendingHead: BlockHeader | undefined;
  private reconciling = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly canonical: CanonicalChain,
    private readonly blocks: () => BlockFetcher,
    private readonly isRunning: () => boolean,
    /** Announces one change of the canonical chain; `target` is the head it was reconciled to. */
    private readonly apply: (change: ChainChange, target: BlockHeader) => void,
    private readonly logger: Logger,
    private readonly chainName: () => string,
  ) {}

  /** A head newer than the canonical tip: reconcile to it, or to a newer one announced meanwhile. */
  offer(header: BlockHeader): void {
    if (!this.pendingHead || header.number >= this.pendingHead.number) this.pendingHead = header;
    void this.reconcile();
  }

  reset(): void {
    clearTimeout(this.retryTimer);
    this.pendingHead = undefined;
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      while (this.isRunning() && this.pendingHead) {
        const target = this.pendingHead;
        this.pendingHead = undefined;
        let change: ChainChange | undefined;
        try {
          change = await this.canonical.adopt(target, this.blocks());
        } catch (err) {
          if (!(err instanceof MissingBlock)) throw err;
          // Not yet on any upstream we could reach: try again, unless a newer head came meanwhile.
          if (!this.pendingHead) this.pendingHead = target;
          this.logger.debug('subscription feed: block not found yet', {
            chain: this.chainName(),
            block: err.message,
          });
          this.scheduleRetry();
          return;
        }
        this.retryMs = RETRY_MIN_MS;
        if (change && this.isRunning()) this.apply(change, target);
      }
    } finally {
      this.reconciling = false;
    }
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconcile(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }
}
