// The feed's canonical chain: gaps backfilled by parent hash, reorgs unwound to the common ancestor,
// lagging heads ignored, fetch failures surfaced, bounds on backfill and depth.
import { describe, expect, it } from 'vitest';
import type { BlockHeader } from '../../src/subscriptions/block-header.js';
import { type BlockFetcher, CanonicalChain, MissingBlock } from '../../src/subscriptions/canonical-chain.js';

function hash(n: number, fork: string): string {
  return `0x${fork.padStart(8, '0')}${n.toString(16).padStart(56, '0')}`;
}

/** An in-memory chain: block n on fork f has parent n-1 on the fork that block n-1 is on in `forks`. */
class FakeChain implements BlockFetcher {
  readonly blocks = new Map<string, BlockHeader>();
  readonly canonical = new Map<number, BlockHeader>();
  byHashCalls = 0;
  byNumberCalls = 0;
  failHashes = new Set<string>();

  constructor(upTo: number) {
    for (let n = 0; n <= upTo; n++) this.extend('a');
  }

  get head(): number {
    return this.canonical.size - 1;
  }

  extend(fork: string): BlockHeader {
    const n = this.canonical.size;
    const parent = this.canonical.get(n - 1);
    const b: BlockHeader = {
      number: n,
      hash: hash(n, fork),
      parentHash: parent?.hash ?? hash(0, 'genesis'),
      mayHaveLogs: false,
      json: '{}',
    };
    this.blocks.set(b.hash, b);
    this.canonical.set(n, b);
    return b;
  }

  /** Replaces the last `depth` blocks with blocks of `fork`; returns the new head. */
  reorg(depth: number, fork: string): BlockHeader {
    const top = this.head;
    for (let n = top - depth + 1; n <= top; n++) this.canonical.delete(n);
    let head: BlockHeader | undefined;
    for (let i = 0; i < depth; i++) head = this.extend(fork);
    return head!;
  }

  async byHash(h: string) {
    this.byHashCalls++;
    return this.failHashes.has(h) ? undefined : this.blocks.get(h);
  }

  async byNumber(n: number) {
    this.byNumberCalls++;
    const b = this.canonical.get(n);
    return b && !this.failHashes.has(b.hash) ? b : undefined;
  }
}

const numbers = (blocks: BlockHeader[]) => blocks.map((b) => b.number);

describe('CanonicalChain', () => {
  it('starts at the first head it sees without announcing history', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    const change = await chain.adopt(fake.canonical.get(10)!, fake);
    expect(change).toEqual({ orphaned: [], added: [fake.canonical.get(10)], base: true });
    expect(chain.tip?.number).toBe(10);
  });

  it('appends the next block, ignores duplicates and older heads', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    const next = fake.extend('a');
    expect(numbers((await chain.adopt(next, fake))!.added)).toEqual([11]);
    expect(await chain.adopt(next, fake)).toBeUndefined();
    expect(await chain.adopt(fake.canonical.get(9)!, fake)).toBeUndefined();
    expect(fake.byHashCalls).toBe(0);
  });

  it('backfills a gap in order, by number in parallel and linked by parent hash', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    for (let i = 0; i < 20; i++) fake.extend('a');
    const change = await chain.adopt(fake.canonical.get(30)!, fake);
    expect(numbers(change!.added)).toEqual([...Array(20).keys()].map((i) => 11 + i));
    expect(change!.orphaned).toEqual([]);
    expect(fake.byNumberCalls).toBe(19);
    expect(fake.byHashCalls).toBe(0);
  });

  it('unwinds a two-block reorg at the same height to the common ancestor', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    const old11 = fake.extend('a');
    const old12 = fake.extend('a');
    await chain.adopt(old11, fake);
    await chain.adopt(old12, fake);
    const newHead = fake.reorg(2, 'b');
    const change = await chain.adopt(newHead, fake);
    expect(change!.orphaned).toEqual([old11, old12]);
    expect(numbers(change!.added)).toEqual([11, 12]);
    expect(change!.added.every((b) => b.hash.includes('0000000b'))).toBe(true);
    expect(chain.tip).toBe(newHead);
    expect(chain.has(old11.hash)).toBe(false);
  });

  it('walks a reorg that also skipped blocks back by hash when numbers lead elsewhere', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    const old11 = fake.extend('a');
    await chain.adopt(old11, fake);
    fake.reorg(1, 'b');
    fake.extend('b');
    const head = fake.extend('b');
    // Numbers now resolve to fork b, so the walk finds 12 and 11 there; 10 is the ancestor.
    const change = await chain.adopt(head, fake);
    expect(change!.orphaned).toEqual([old11]);
    expect(numbers(change!.added)).toEqual([11, 12, 13]);
  });

  it('a head behind the tip on another fork is a losing fork: ignored', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    await chain.adopt(fake.extend('a'), fake);
    await chain.adopt(fake.extend('a'), fake);
    const side = fake.reorg(1, 'b');
    expect(side.number).toBe(12);
    const sideParent = fake.blocks.get(side.parentHash)!;
    expect(await chain.adopt(sideParent, fake)).toBeUndefined();
  });

  it('throws MissingBlock when a linking block cannot be fetched, and succeeds once it can', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    const b11 = fake.extend('a');
    const b12 = fake.extend('a');
    fake.failHashes.add(b11.hash);
    await expect(chain.adopt(b12, fake)).rejects.toBeInstanceOf(MissingBlock);
    expect(chain.tip?.number).toBe(10);
    fake.failHashes.clear();
    expect(numbers((await chain.adopt(b12, fake))!.added)).toEqual([11, 12]);
  });

  it('skips a gap longer than maxBackfill and says which heights', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(64, 5);
    await chain.adopt(fake.canonical.get(10)!, fake);
    for (let i = 0; i < 10; i++) fake.extend('a');
    const change = await chain.adopt(fake.canonical.get(20)!, fake);
    expect(change!.skipped).toEqual({ from: 11, to: 19 });
    expect(numbers(change!.added)).toEqual([20]);
    expect(change!.orphaned).toEqual([]);
  });

  it('a fork point below the window orphans the whole window (deep reorg)', async () => {
    const fake = new FakeChain(10);
    const chain = new CanonicalChain(3, 1000);
    await chain.adopt(fake.canonical.get(10)!, fake);
    for (let i = 0; i < 4; i++) await chain.adopt(fake.extend('a'), fake);
    expect(chain.tip?.number).toBe(14);
    const head = fake.reorg(5, 'b');
    const change = await chain.adopt(head, fake);
    expect(change!.deepReorg).toBe(true);
    expect(numbers(change!.orphaned)).toEqual([12, 13, 14]);
    expect(chain.tip).toBe(head);
  });

  it('keeps only `depth` blocks', async () => {
    const fake = new FakeChain(0);
    const chain = new CanonicalChain(4, 1000);
    await chain.adopt(fake.canonical.get(0)!, fake);
    for (let i = 0; i < 10; i++) await chain.adopt(fake.extend('a'), fake);
    expect(chain.has(fake.canonical.get(7)!.hash)).toBe(true);
    expect(chain.has(fake.canonical.get(6)!.hash)).toBe(false);
  });
});
