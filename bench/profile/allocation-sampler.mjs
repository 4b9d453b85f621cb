// Preloaded with `node --import ./bench/profile/allocation-sampler.mjs` by hot-path.sh (PROFILE=alloc):
// V8's sampling heap profiler over everything allocated, collected objects included (`--heap-prof`
// keeps only what is still alive at exit, which hides the per-request garbage that costs GC time).
// Writes ALLOCATION_PROFILE (a .heapprofile for Chrome DevTools) when the process gets SIGUSR2.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.ALLOCATION_PROFILE ?? 'allocation.heapprofile';
const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (!err) writeFileSync(out, JSON.stringify(result.profile));
    console.error(err ? `allocation profile failed: ${err.message}` : `allocation profile: ${out}`);
  });
});
