// What the scrape-time gauges read: the live state of one server, handed to createMetrics' attach().
import type { TrafficMeter } from '../routing/traffic-share.js';
import type { Runtime } from '../runtime/runtime.js';

/** A family's feeds as the gauges read them. */
interface FeedReader {
  counts(): { chain: string; kind: string; count: number }[];
  status(
    chain: string,
  ):
    | { head: number | null; sources: { upstream: string; transport: string; connected: boolean }[] }
    | undefined;
}

/** The live state gauges read at scrape time (SwitchyardServer satisfies it). */
export interface MetricsSource {
  readonly runtime: Runtime;
  readonly websocket?: {
    readonly connectionCount: number;
    readonly subscriptions: FeedReader;
    /** A family's own feed (Solana PubSub, CometBFT, …): its head, sources and subscriptions by kind. */
    familyStatus?(chain: string):
      | {
          head: number | null;
          subscriptions: Record<string, number>;
          sources: { upstream: string; transport: string; connected: boolean }[];
        }
      | undefined;
  };
  readonly requestsInFlight: number;
  readonly traffic: TrafficMeter;
  readonly isDraining: boolean;
  readonly configLoadedAtMs: number;
}

/** The source attached so far (undefined until attach(), and in tests that never attach one). */
export type CurrentSource = () => MetricsSource | undefined;
