// What every system under test looks like to the bench: an endpoint URL, a pid to measure, a way to
// tell which upstream answered, and what it said about its upstreams (breaker opens, servers marked
// down) with timestamps, so detection times can be compared across proxies.
import type { Fleet, ProviderSpec } from '../../src/simulation/index.js';

/** Any simulated fleet (EVM or a family fleet): its providers' ports and labels. */
interface FleetLike {
  readonly providers: readonly { name: string; port: number; spec: ProviderSpec }[];
}

export type TargetKind = 'direct' | 'switchyard' | 'nginx' | 'haproxy' | 'bare' | 'naive';

export const TARGET_LABELS: Record<TargetKind, string> = {
  direct: 'direct (no proxy)',
  switchyard: 'Switchyard',
  nginx: 'nginx',
  haproxy: 'HAProxy',
  bare: 'bare Node forwarder',
  naive: 'naive http-proxy',
};

export interface UpstreamRef {
  name: string;
  host: string;
  port: number;
  cloud: string;
  region: string;
  provider: string;
  network?: string;
}

export interface TargetEvent {
  /** Epoch ms. */
  atMs: number;
  /**
   * domain_open/domain_close/domain_half_open: a Switchyard failure-domain breaker;
   * server_down/server_up: one upstream marked down or up (any proxy).
   */
  kind: 'domain_open' | 'domain_close' | 'domain_half_open' | 'server_down' | 'server_up';
  /** Domain key (region:aws/us-east-1) or upstream name. */
  key: string;
  detail?: string | undefined;
}

export interface RunningTarget {
  kind: TargetKind;
  /** The JSON-RPC endpoint. */
  url: string;
  /** Process to measure (CPU, RSS); undefined for direct. */
  pid: number | undefined;
  events: TargetEvent[];
  /** Name of the upstream that answered, from response headers. */
  upstreamOf(headers: Record<string, string | string[] | undefined>): string | undefined;
  /** Switchyard's GET /status, parsed; undefined elsewhere. */
  status?(): Promise<unknown>;
  /** The process's own output lines, for evidence. */
  logTail(max: number): string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  upstreams: UpstreamRef[];
  /** Directory for config files and logs of this run. */
  dir: string;
  /** Core to pin the proxy to. */
  core?: number;
  chainId: number;
  /** 'failover': the competent outage config; 'overhead': forwarding to one upstream. */
  mode: 'failover' | 'overhead';
  /** Extra node flags for the Node targets (Switchyard, the bare forwarder), e.g. --trace-gc-nvp. */
  nodeFlags?: string[];
}

export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** The fleet's providers as the upstreams a target is configured with. */
export function upstreamRefsOf(fleet: Pick<Fleet, 'providers'> | FleetLike): UpstreamRef[] {
  return fleet.providers.map((p) => ({
    name: p.name,
    host: '127.0.0.1',
    port: p.port,
    cloud: p.spec.cloud,
    region: p.spec.region,
    provider: p.spec.provider,
    ...(p.spec.network ? { network: p.spec.network } : {}),
  }));
}

/** Upstream name by "host:port" address, for proxies that report an address (nginx). */
export function addressMap(upstreams: UpstreamRef[]): Map<string, string> {
  return new Map(upstreams.map((u) => [`${u.host}:${u.port}`, u.name]));
}
