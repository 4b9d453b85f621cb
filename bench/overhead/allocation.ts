// Heap allocation per request of a Node target, from V8's own GC trace: started with --trace-gc-nvp,
// every GC prints `allocated=N`, the bytes allocated since the GC before it. Their sum over a fixed
// number of requests, divided by that number, is the allocation per request; the bytes allocated
// before the first GC of the window and after its last roughly cancel out over ~100 GCs. A separate
// run from the measured rounds: tracing costs a little CPU, and the rounds must not pay for it.
import { startLoad } from '../load/driver.js';
import { readMix } from '../load/mix.js';
import { type RunningTarget, startTarget, type UpstreamRef } from '../targets/index.js';

export interface AllocationFigures {
  /** Bytes allocated on the V8 heap per request (mean over the window). */
  bytesPerRequest: number;
  requests: number;
  /** GCs in the window: fewer than ~20 makes the figure rough. */
  gcs: number;
}

const ALLOCATED = /\ballocated=(\d+)/;

function gcAllocations(target: RunningTarget): number[] {
  const out: number[] = [];
  for (const line of target.logTail(Number.MAX_SAFE_INTEGER)) {
    const m = ALLOCATED.exec(line);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

export async function measureAllocation(
  kind: 'switchyard' | 'bare',
  upstreams: UpstreamRef[],
  dir: string,
  requests: number,
): Promise<AllocationFigures> {
  const target = await startTarget(kind, {
    upstreams,
    dir,
    core: 0,
    chainId: 1,
    mode: 'overhead',
    nodeFlags: ['--trace-gc-nvp'],
  });
  try {
    const base = { url: target.url, mix: readMix(5), timeoutMs: 5000 };
    await startLoad({ ...base, clients: 8, maxRequests: 20_000, durationMs: 1000 }).done;
    const before = gcAllocations(target).length;
    const rec = await startLoad({ ...base, clients: 32, maxRequests: requests, durationMs: 30_000 }).done;
    const window = gcAllocations(target).slice(before);
    const bytes = window.reduce((a, b) => a + b, 0);
    return {
      bytesPerRequest: rec.n === 0 ? 0 : Math.round(bytes / rec.n),
      requests: rec.n,
      gcs: window.length,
    };
  } finally {
    await target.stop();
  }
}
