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
    /** CometBFT chains' feeds: the same gauges, kind = the event type a query names (or `any`). */
    readonly cometbft?: FeedReader;
  };
  readonly requestsInFlight: number;
  readonly traffic: TrafficMeter;
  readonly isDraining: boolean;
  readonly configLoadedAtMs: number;
}

/** The source attached so far (undefined until attach(), and in tests that never attach one). */
export type CurrentSource = () => MetricsSource | undefined;
