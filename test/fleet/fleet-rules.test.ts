// The pure pieces of fleet mode, in virtual time: the message codec (unreadable input is rejected, not
// thrown), the verdict rules that keep one instance from locking a domain out fleet-wide, the leased
// token bucket, the local allowance, and the fleet rate limiter failing open.
import { describe, expect, it } from 'vitest';
import { CordonBook } from '../../src/cordons/cordon-book.js';
import { checkCordonRequest, checkTarget } from '../../src/cordons/cordon-request.js';
import { FleetRateLimiter, type LeaseSource } from '../../src/fleet/fleet-rate-limiter.js';
import { LEASE_TTL_MS, LocalAllowance } from '../../src/fleet/local-allowance.js';
import { decode, encode, MESSAGE_VERSION } from '../../src/fleet/messages.js';
import { type Bucket, leaseTokens } from '../../src/fleet/token-lease.js';
import { IMMUNITY_MS, mayPublish, PROMPT_PROBE_MS, VerdictGuard } from '../../src/fleet/verdict-guard.js';
import { DomainBreaker } from '../../src/routing/domain-breaker.js';

const cordon = { target: 'region:aws/us-east-1', reason: 'drill', createdAtMs: 1, expiresAtMs: 2, by: 'h/1' };

describe('message codec', () => {
  it('round-trips every event kind', () => {
    const events = [
      { kind: 'domain_open', chain: 'ethereum', key: 'region:aws/us-east-1' },
      { kind: 'upstream_open', chain: 'ethereum', upstream: 'a' },
      { kind: 'wrong_chain', chain: 'ethereum', upstream: 'a', chainId: 5 },
      { kind: 'served_head', chain: 'ethereum', head: 1234 },
      { kind: 'cordon', cordon },
      { kind: 'uncordon', target: 'provider:lava' },
    ] as const;
    for (const event of events)
      expect(decode(encode('me', event))).toEqual({ v: MESSAGE_VERSION, from: 'me', ...event });
  });

  it.each([
    ['garbage', 'not json {'],
    ['another version', JSON.stringify({ v: 2, from: 'x', kind: 'domain_open', chain: 'e', key: 'k' })],
    ['no sender', JSON.stringify({ v: 1, kind: 'domain_open', chain: 'e', key: 'k' })],
    ['unknown kind', JSON.stringify({ v: 1, from: 'x', kind: 'reboot' })],
    ['a negative head', JSON.stringify({ v: 1, from: 'x', kind: 'served_head', chain: 'e', head: -1 })],
    ['a fractional head', JSON.stringify({ v: 1, from: 'x', kind: 'served_head', chain: 'e', head: 1.5 })],
    [
      'a cordon without expiry',
      JSON.stringify({ v: 1, from: 'x', kind: 'cordon', cordon: { ...cordon, expiresAtMs: 'x' } }),
    ],
    ['an array', '[1,2]'],
    ['null', 'null'],
  ])('rejects %s', (_what, text) => {
    expect(decode(text)).toBeUndefined();
  });

  it('keeps only the cordon fields a message carries', () => {
    const text = JSON.stringify({ v: 1, from: 'x', kind: 'cordon', cordon: { ...cordon, extra: 'dropped' } });
    expect(decode(text)).toEqual({ v: 1, from: 'x', kind: 'cordon', cordon });
  });
});

describe('verdict rules', () => {
  it('declines remote verdicts for a while after a prompt local probe contradicted one', () => {
    const guard = new VerdictGuard();
    expect(guard.accepts('s', 0)).toBe(true);
    guard.appliedRemote('s', 0, 300);
    guard.localTransition('s', 'half_open', 300);
    guard.localTransition('s', 'closed', 310);
    expect(guard.accepts('s', 311)).toBe(false);
    expect(guard.accepts('s', 310 + IMMUNITY_MS - 1)).toBe(false);
    expect(guard.accepts('s', 310 + IMMUNITY_MS)).toBe(true);
  });

  it('takes a probe that hung through the outage and closed late as no contradiction', () => {
    const guard = new VerdictGuard();
    guard.appliedRemote('s', 0, 300);
    guard.localTransition('s', 'half_open', 300);
    guard.localTransition('s', 'closed', 300 + PROMPT_PROBE_MS + 1);
    expect(guard.accepts('s', 1000)).toBe(true);
  });

  it('takes a remote verdict confirmed by a local trip as true: no immunity after it closes', () => {
    const guard = new VerdictGuard();
    guard.appliedRemote('s', 0, 300);
    guard.localTransition('s', 'half_open', 300);
    guard.localTransition('s', 'open', 320);
    guard.localTransition('s', 'closed', 2000);
    expect(guard.accepts('s', 2001)).toBe(true);
  });

  it('publishes only while some other upstream is usable and healthy', () => {
    expect(mayPublish([])).toBe(false);
    expect(
      mayPublish([
        { usable: true, healthUp: false },
        { usable: false, healthUp: true },
      ]),
    ).toBe(false);
    expect(
      mayPublish([
        { usable: false, healthUp: false },
        { usable: true, healthUp: true },
      ]),
    ).toBe(true);
  });

  it('forces a domain open for one back-off only, then its own probe decides', () => {
    const breaker = new DomainBreaker('region:x/y', ['a', 'b'], {
      minFailingUpstreams: 2,
      windowMs: 1000,
      backoffMs: 300,
      maxBackoffMs: 800,
      random: () => 0.5,
    });
    expect(breaker.forceOpen(1000)).toBe(300);
    expect(breaker.stateAt(1000)).toBe('open');
    expect(breaker.opens).toBe(1);
    expect(breaker.stateAt(1299)).toBe('open');
    expect(breaker.stateAt(1300)).toBe('half_open');
    breaker.onSend(1300);
    breaker.record('a', false, 1310, 1300);
    expect(breaker.stateAt(1310)).toBe('closed');
    // Forcing an open domain again changes nothing (no new back-off, no new count).
    breaker.forceOpen(2000);
    expect(breaker.forceOpen(2100)).toBe(0);
    expect(breaker.opens).toBe(2);
    expect(breaker.stateAt(2299)).toBe('open');
  });
});

describe('leased token bucket', () => {
  it('grants up to what the bucket holds, then says when the next token comes', () => {
    const bucket: Bucket = { tokens: 5, updatedMs: 0 };
    expect(leaseTokens(bucket, 10, 5, 3, 0, 0)).toEqual({ granted: 3, retryAfterMs: 0 });
    expect(leaseTokens(bucket, 10, 5, 3, 0, 0)).toEqual({ granted: 2, retryAfterMs: 0 });
    expect(leaseTokens(bucket, 10, 5, 3, 0, 0)).toEqual({ granted: 0, retryAfterMs: 100 });
    expect(leaseTokens(bucket, 10, 5, 3, 0, 250)).toEqual({ granted: 2, retryAfterMs: 0 });
  });

  it('charges debt first, so credit given locally is repaid before more is granted', () => {
    const bucket: Bucket = { tokens: 2, updatedMs: 0 };
    expect(leaseTokens(bucket, 10, 5, 3, 4, 0)).toEqual({ granted: 0, retryAfterMs: 300 });
    expect(bucket.tokens).toBe(-2);
    expect(leaseTokens(bucket, 10, 5, 3, 0, 300).granted).toBe(1);
  });

  it('never fills beyond the burst', () => {
    const bucket: Bucket = { tokens: 0, updatedMs: 0 };
    expect(leaseTokens(bucket, 10, 5, 100, 0, 60_000).granted).toBe(5);
  });
});

describe('local allowance', () => {
  it('spends leased tokens, admits a small credit while a lease is on its way, and denies beyond', () => {
    const a = new LocalAllowance(100, 100);
    expect(a.chunk).toBe(10);
    expect(a.credit).toBe(2);
    expect(a.take(0)).toEqual({ ok: true });
    expect(a.take(0)).toEqual({ ok: true });
    expect(a.take(0)).toEqual({ ok: false, retryAfterMs: 10 });
    expect(a.wantsLease(0)).toBe(true);
    expect(a.beginLease()).toEqual({ debt: 2, want: 10 });
    expect(a.wantsLease(0)).toBe(false);
    expect(a.take(1)).toEqual({ ok: false, retryAfterMs: 10 });
    a.leaseGranted(10, 0, 2);
    for (let i = 0; i < 10; i++) expect(a.take(3)).toEqual({ ok: true });
    expect(a.take(3).ok).toBe(true); // credit again
  });

  it('denies until the fleet bucket refills when a lease came back empty', () => {
    const a = new LocalAllowance(10, 10);
    a.take(0);
    a.beginLease();
    a.leaseGranted(0, 400, 0);
    expect(a.take(100)).toEqual({ ok: false, retryAfterMs: 300 });
    expect(a.wantsLease(100)).toBe(false);
    expect(a.wantsLease(400)).toBe(true);
  });

  it('drops leased tokens it did not spend within the lease ttl', () => {
    const a = new LocalAllowance(100, 100);
    a.beginLease();
    a.leaseGranted(10, 0, 0);
    expect(a.take(LEASE_TTL_MS - 1)).toEqual({ ok: true });
    a.take(LEASE_TTL_MS);
    a.take(LEASE_TTL_MS);
    expect(a.take(LEASE_TTL_MS).ok).toBe(false);
  });

  it('keeps the debt of a lease request that failed, to charge it next time', () => {
    const a = new LocalAllowance(100, 100);
    a.take(0);
    a.take(0);
    a.beginLease();
    a.leaseFailed();
    expect(a.beginLease().debt).toBe(2);
  });
});

describe('fleet rate limiter', () => {
  const source = (connected: boolean, lease: LeaseSource['lease']): LeaseSource => ({ connected, lease });

  it('fails open to the per-instance bucket while the store is unreachable, and says so once', () => {
    const told: boolean[] = [];
    const limiter = new FleetRateLimiter(source(false, () => Promise.reject(new Error('down'))));
    limiter.onFailOpen = (failing) => told.push(failing);
    const results = Array.from({ length: 5 }, () => limiter.take('k', 1, 3, 0).ok);
    expect(results).toEqual([true, true, true, false, false]);
    expect(told).toEqual([true]);
    expect(limiter.localDecisions).toBe(5);
  });

  it('fails open when the store is connected but does not answer, and back when it does', async () => {
    const told: boolean[] = [];
    let answer: 'fail' | 'grant' = 'fail';
    const limiter = new FleetRateLimiter(
      source(true, () =>
        answer === 'fail'
          ? Promise.reject(new Error('timeout'))
          : Promise.resolve({ granted: 5, retryAfterMs: 0 }),
      ),
    );
    limiter.onFailOpen = (failing) => told.push(failing);
    expect(limiter.take('k', 100, 100, 0).ok).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(told).toEqual([true]);
    expect(limiter.take('k', 100, 100, 1).ok).toBe(true);
    answer = 'grant';
    await new Promise((r) => setTimeout(r, 0));
    limiter.take('k', 100, 100, 2);
    await new Promise((r) => setTimeout(r, 0));
    expect(told).toEqual([true, false]);
  });

  it('admits nothing beyond the leases and the credit while connected', async () => {
    const limiter = new FleetRateLimiter(
      source(true, () => Promise.resolve({ granted: 0, retryAfterMs: 500 })),
    );
    expect(limiter.take('k', 10, 10, 0).ok).toBe(true); // the credit
    await new Promise((r) => setTimeout(r, 0));
    const denied = limiter.take('k', 10, 10, 10);
    expect(denied.ok).toBe(false);
  });
});

describe('cordons', () => {
  it('reads targets and names what is wrong', () => {
    expect(checkTarget('network:lava')).toEqual({ ok: true, value: 'network:lava' });
    expect(checkTarget('upstream:aws-use1-a').ok).toBe(true);
    expect(checkTarget('region:aws/us-east-1/x')).toMatchObject({ ok: false, field: 'target' });
    expect(checkTarget(42)).toMatchObject({ ok: false, field: 'target' });
    const ok = checkCordonRequest(
      '{"target":"provider:alchemy","reason":" planned ","ttl":"30m"}',
      1000,
      'h/1',
    );
    expect(ok).toEqual({
      ok: true,
      value: {
        target: 'provider:alchemy',
        reason: 'planned',
        createdAtMs: 1000,
        expiresAtMs: 1000 + 1_800_000,
        by: 'h/1',
      },
    });
    expect(checkCordonRequest('{"target":"provider:a","ttl":"200h"}', 0, 'h')).toMatchObject({
      field: 'ttl',
    });
  });

  it('covers an upstream by its name or any of its domains, and expires', () => {
    const book = new CordonBook();
    const u = { name: 'a', domains: ['region:aws/us-east-1', 'provider:alchemy'] };
    book.set({ ...cordon, target: 'provider:alchemy', expiresAtMs: 100 });
    expect(book.cordonOf(u, 99)?.target).toBe('provider:alchemy');
    expect(book.cordonOf({ name: 'b', domains: ['provider:infura'] }, 99)).toBeUndefined();
    expect(book.cordonOf(u, 100)).toBeUndefined();
    expect(book.list(100)).toEqual([]);
  });

  it('tells the fleet of local changes only', () => {
    const book = new CordonBook();
    const changes: string[] = [];
    book.onLocalChange = (c) => changes.push(c.kind);
    book.set({ ...cordon, expiresAtMs: 10 });
    book.adopt({ kind: 'removed', target: cordon.target });
    book.adopt({ kind: 'set', cordon: { ...cordon, expiresAtMs: 10 } });
    expect(book.remove(cordon.target, 5)).toBe(true);
    expect(book.remove(cordon.target, 5)).toBe(false);
    expect(changes).toEqual(['set', 'removed']);
  });
});
