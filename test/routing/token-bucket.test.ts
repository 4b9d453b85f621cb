import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/routing/token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst at once, then the rate', () => {
    const b = new TokenBucket(10, 5, 0);
    let sent = 0;
    for (let i = 0; i < 100; i++) {
      if (b.allows(1, 0)) {
        b.take(1, 0);
        sent++;
      }
    }
    expect(sent).toBe(5);
    expect(b.waitMs(1, 0)).toBe(100);
    let later = 0;
    for (let t = 1; t <= 10_000; t++) {
      if (b.allows(1, t)) {
        b.take(1, t);
        later++;
      }
    }
    expect(later).toBe(100);
  });

  it('weights: a costly call waits for its credits; one above the burst passes on a full bucket', () => {
    const b = new TokenBucket(100, 200, 0);
    b.take(150, 0);
    expect(b.allows(75, 0)).toBe(false);
    expect(b.waitMs(75, 0)).toBe(250);
    expect(b.allows(75, 250)).toBe(true);
    const small = new TokenBucket(1, 10, 0);
    expect(small.allows(50, 0)).toBe(true);
    small.take(50, 0);
    expect(small.allows(1, 0)).toBe(false);
    expect(small.waitMs(1, 0)).toBe(41_000);
  });
});
