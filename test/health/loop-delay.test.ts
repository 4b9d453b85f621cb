// The event-loop delay the detector adds to probe deadlines, measured for real: a loop held busy is seen.
import { afterEach, expect, it } from 'vitest';
import { LoopDelay } from '../../health/loop-delay.js';

const delay = new LoopDelay();
afterEach(() => delay.stop());

it('sees a 150 ms busy tick of this process, and reads 0 when stopped', async () => {
  delay.start();
  // Let the sampler run, then hold the loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const until = performance.now() + 150;
  while (performance.now() < until) {
    // busy: the loop cannot run its timers
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(delay.recentMaxMs()).toBeGreaterThanOrEqual(100);
  delay.stop();
  expect(delay.recentMaxMs()).toBe(0);
});
