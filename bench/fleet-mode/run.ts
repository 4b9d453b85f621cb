// `npm run bench -- --fleet`: the fleet-mode measurements (saturation with workers on both cores
// against nginx with two workers, and fleet detection time). Optional: the default bench stays as long
// as it was.
import { join } from 'node:path';
import { runDetection } from './detection.js';
import type { FleetBenchReport } from './report.js';
import { runSaturation } from './saturation.js';

export async function runFleetBench(
  work: string,
  quick: boolean,
  onStep: (label: string) => void,
): Promise<FleetBenchReport> {
  const started = performance.now();
  const satOpts = quick
    ? { rounds: 1, seconds: 2, connections: 64 }
    : { rounds: 3, seconds: 3, connections: 64 };
  const saturation = await runSaturation(join(work, 'fleet-saturation'), satOpts, (l) =>
    onStep(`saturation · ${l}`),
  );
  const trials = quick ? 2 : 5;
  const detection = await runDetection(join(work, 'fleet-detection'), trials, (l) =>
    onStep(`detection · ${l}`),
  );
  return {
    saturation: { ...saturation, ...satOpts },
    detection: { rows: detection, trials },
    durationSec: (performance.now() - started) / 1000,
  };
}
