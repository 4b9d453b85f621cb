// What the core reports as it works. metrics.ts turns these into Prometheus series; tests and the
// status page can listen too. The core never imports prom-client itself.
import type { Outcome } from './classify.js';

export type AttemptKind = 'primary' | 'retry' | 'hedge';

export interface Observer {
  attempt(
    chain: string,
    upstream: string,
    method: string,
    outcome: Outcome,
    latencyMs: number,
    kind: AttemptKind,
  ): void;
  request(chain: string, method: string, result: 'ok' | 'error', latencyMs: number): void;
  /** A hedge was sent; `won` tells later whether its answer was the one used. */
  hedge(chain: string, won: boolean): void;
  retry(chain: string): void;
  panic(chain: string): void;
  stall(chain: string, upstream: string): void;
  breakerTransition(kind: 'upstream' | 'domain', chain: string, key: string, from: string, to: string): void;
  healthCheck(chain: string, upstream: string, probe: string, ok: boolean): void;
}

export const nullObserver: Observer = {
  attempt() {},
  request() {},
  hedge() {},
  retry() {},
  panic() {},
  stall() {},
  breakerTransition() {},
  healthCheck() {},
};
