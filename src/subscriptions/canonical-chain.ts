// The chain's canonical blocks as the subscription feed has announced them: a window of the last
// `depth` blocks, linked by parent hash. A new head from any upstream is reconciled against it: the
// blocks between the window's tip and that head are fetched (a gap after a feed outage), and when the
// head is on another fork, the window's blocks above the common ancestor are orphaned (a reorg). The
// caller announces the change: orphaned blocks' logs again with `removed: true`, then the new blocks.
// Pure apart from the fetcher it is given: tests drive it with an in-memory chain.
import type { BlockHeader } from './block-header.js';

export interface BlockFetcher {
  byHash(hash: string): Promise<BlockHeader | undefined>;
  byNumber(n: number): Promise<BlockHeader | undefined>;
}

export interface ChainChange {
  /** Blocks that left the canonical chain, oldest first. */
  orphaned: BlockHeader[];
  /** New canonical blocks, oldest first, the head last. */
  added: BlockHeader[];
  /** Heights never announced because the gap was longer than `maxBackfill` (logged by the caller). */
  skipped?: { from: number; to: number };
  /** The fork point was below the window: every block of the window was orphaned. */
  deepReorg?: boolean;
  /**
   * The first block the feed saw (or the first after a skipped gap): where it starts, not news. geth
   * too announces only blocks that arrive after the subscription.
   */
  base?: boolean;
}

/** A block needed to link the new head could not be fetched from any upstream; try again later. */
export class MissingBlock extends Error {}

/** Blocks of a gap fetched by number at once; the walk by parent hash then finds them here. */
const PREFETCH_CONCURRENCY = 8;

export class CanonicalChain {
  private blocks: BlockHeader[] = [];
  private readonly byHash = new Map<string, BlockHeader>();

  constructor(
    private readonly depth: number,
    private readonly maxBackfill: number,
  ) {}

  get tip(): BlockHeader | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** Forgets everything (the feed stopped: nobody listens any more). */
  reset(): void {
    this.blocks = [];
    this.byHash.clear();
  }

  /**
   * Makes `head` the tip when it is new and not behind the tip. Returns what changed, or undefined when
   * nothing did (a block already announced, or an older head from a lagging upstream).
   * Throws MissingBlock when a block that links it could not be fetched.
   */
  async adopt(head: BlockHeader, fetcher: BlockFetcher): Promise<ChainChange | undefined> {
    if (this.byHash.has(head.hash)) return undefined;
    const tip = this.tip;
    if (tip === undefined) {
      this.append([head]);
      return { orphaned: [], added: [head], base: true };
    }
    // An older head is a lagging upstream's, or a shorter fork that lost: the longer chain stands.
    if (head.number < tip.number) return undefined;
    if (head.number - tip.number > this.maxBackfill) {
      // Not a reorg: as far as we know the old blocks stay canonical, they are just too far back to link.
      this.reset();
      this.append([head]);
      return { orphaned: [], added: [head], skipped: { from: tip.number + 1, to: head.number - 1 } };
    }
    const prefetched = await this.prefetch(tip.number + 1, head.number - 1, fetcher);
    const path: BlockHeader[] = [head];
    let cur = head;
    const floor = this.blocks[0]!.number;
    let deepReorg = false;
    while (!this.byHash.has(cur.parentHash)) {
      if (cur.number - 1 < floor) {
        deepReorg = true;
        break;
      }
      const parent = prefetched.get(cur.parentHash) ?? (await fetcher.byHash(cur.parentHash));
      if (!parent || parent.hash !== cur.parentHash || parent.number !== cur.number - 1) {
        throw new MissingBlock(`block ${cur.number - 1} (${cur.parentHash.slice(0, 10)}…)`);
      }
      path.unshift(parent);
      cur = parent;
    }
    const ancestor = deepReorg ? floor - 1 : cur.number - 1;
    const keep = this.blocks.filter((b) => b.number <= ancestor);
    const orphaned = this.blocks.filter((b) => b.number > ancestor);
    for (const b of orphaned) this.byHash.delete(b.hash);
    this.blocks = keep;
    this.append(path);
    return { orphaned, added: path, ...(deepReorg ? { deepReorg } : {}) };
  }

  private append(blocks: BlockHeader[]): void {
    for (const b of blocks) {
      this.blocks.push(b);
      this.byHash.set(b.hash, b);
    }
    const excess = this.blocks.length - this.depth;
    if (excess > 0) for (const b of this.blocks.splice(0, excess)) this.byHash.delete(b.hash);
  }

  /** Blocks from..to by number, fetched a few at a time; failures are left to the walk by hash. */
  private async prefetch(from: number, to: number, fetcher: BlockFetcher): Promise<Map<string, BlockHeader>> {
    const found = new Map<string, BlockHeader>();
    for (let start = from; start <= to; start += PREFETCH_CONCURRENCY) {
      const end = Math.min(to, start + PREFETCH_CONCURRENCY - 1);
      const batch: Promise<BlockHeader | undefined>[] = [];
      for (let n = start; n <= end; n++) batch.push(fetcher.byNumber(n).catch(() => undefined));
      for (const b of await Promise.all(batch)) if (b) found.set(b.hash, b);
    }
    return found;
  }
}
