// How late this process's own event loop runs (GC, a long tick, a CPU-starved host): a probe's answer
// can wait in the socket that long before it is read. The detector adds this to probe deadlines, so a
// busy balancer does not take its own slowness for an upstream's. Node's event-loop delay histogram
// (sampled in C++ every 10 ms), read as the worst delay of the last completed second and the current one.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const WINDOW_MS = 1000;

export class LoopDelay {
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The worst delay seen in the last completed window, in ms. */
  private previousMaxMs = 0;

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.previousMaxMs = this.currentMaxMs();
      this.histogram?.reset();
    }, WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
    this.histogram = undefined;
    this.previousMaxMs = 0;
  }

  /** The worst event-loop delay of the last second or so, in ms (0 when not started). */
  recentMaxMs(): number {
    return Math.max(this.previousMaxMs, this.currentMaxMs());
  }

  private currentMaxMs(): number {
    const h = this.histogram;
    // The histogram counts the whole sampling period as delay: what is late is beyond it.
    return h && h.count > 0 ? Math.max(0, h.max / 1e6 - RESOLUTION_MS) : 0;
  }
}
