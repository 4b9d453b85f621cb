// observeBoth: one observer telling two of every event either listens to, whatever their shape (object
// literals, class instances with prototype methods, Object.create wrappers), each called as itself.
import { describe, expect, it } from 'vitest';
import { nullObserver, type Observer, observeBoth } from '../../src/routing/observer.js';

class CountingObserver {
  readonly events: string[] = [];
  attempt(chain: string, upstream: string) {
    this.events.push(`attempt ${chain} ${upstream}`);
  }
  request(chain: string, method: string) {
    this.events.push(`request ${chain} ${method}`);
  }
  hedge() {}
  retry() {}
  panic() {}
  stall() {}
  breakerTransition() {}
  healthCheck() {}
  cacheLookup(chain: string, hit: boolean) {
    this.events.push(`cache ${chain} ${hit}`);
  }
}

describe('observeBoth', () => {
  it('tells both of each event, optional ones included, with each method bound to its observer', () => {
    const counting = new CountingObserver();
    const seen: string[] = [];
    const wrapped: Observer = Object.create(nullObserver);
    wrapped.request = (chain, method) => seen.push(`request ${chain} ${method}`);
    wrapped.rejected = (reason) => seen.push(`rejected ${reason}`);
    const both = observeBoth(counting as unknown as Observer, wrapped);

    both.attempt('eth', 'a', 'eth_call', { kind: 'ok' } as never, 5, 'primary');
    both.request('eth', 'eth_call', 'ok', 5);
    both.cacheLookup?.('eth', true);
    both.rejected?.('overloaded');
    both.stall('eth', 'a');
    expect(counting.events).toEqual(['attempt eth a', 'request eth eth_call', 'cache eth true']);
    expect(seen).toEqual(['request eth eth_call', 'rejected overloaded']);
    expect(both.shadowRead).toBeUndefined();
  });
});
