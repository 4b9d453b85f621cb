// What a call's attempt loop (call-run.ts) and one attempt (attempt-run.ts) need from around them, as
// small interfaces: the dispatcher's clocks, timers and rules, and the call an attempt reports to. The
// concrete classes then import each other in one direction only.

import type { RpcCall } from '../rpc/jsonrpc.js';
import type { Classification } from '../rpc/outcome.js';
import type { ChainRuntime } from './chain.js';
import type { DeadlineLinks, DeadlineQueue } from './deadline-queue.js';
import type { AttemptKind, Observer } from './observer.js';
import type { TimerBuckets } from './timer-buckets.js';
import type { Upstream } from './upstream.js';

/** A call in the dispatcher's deadline queue. */
export interface DeadlineRun extends DeadlineLinks<DeadlineRun> {
  onDeadline(): void;
}

/** A call whose hedge timer sits in the dispatcher's millisecond buckets. */
export interface HedgeTimed {
  onHedgeTimer(): void;
}

/** An attempt whose stall timer sits in the dispatcher's millisecond buckets. */
export interface StallTimed {
  onStall(): void;
}

/** The dispatcher as calls and attempts see it. */
export interface DispatchHost {
  readonly observer: Observer;
  readonly now: () => number;
  readonly random: () => number;
  readonly deadlines: DeadlineQueue<DeadlineRun>;
  readonly hedgeTimers: TimerBuckets<HedgeTimed>;
  readonly stallTimers: TimerBuckets<StallTimed>;
  hedgeDelayMs(chain: ChainRuntime, label: string, tried?: Upstream): number;
  stallAfterMs(chain: ChainRuntime, label: string, upstream: Upstream): number;
}

/** An attempt as its call hears of it when it ends. */
interface SettledAttempt {
  readonly upstream: Upstream;
  readonly kind: AttemptKind;
}

/** The call an attempt belongs to; it hears of its own kind of attempt. */
export interface AttemptOwner<A extends SettledAttempt = SettledAttempt> {
  readonly dispatcher: DispatchHost;
  readonly chain: ChainRuntime;
  readonly call: RpcCall;
  readonly label: string;
  /** Encoded once; every attempt sends these bytes. */
  readonly body: Buffer;
  readonly needsArchive: boolean;
  readonly identityCall: boolean;
  /** An attempt got no answer in time: try elsewhere at once. */
  onStall(): void;
  onSettled(attempt: A, c: Classification): void;
}
