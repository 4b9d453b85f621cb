// Helpers for the detection tests (issue 20): a fleet of any family with a two-member region
// aws/us-east-1, the /status view of domains and detection states, polling with a deadline, and a
// paced read loop that records which upstream answered each read.
import { Pool } from 'undici';
import { parse } from 'yaml';
import {
  type DomainFilter,
  type FakeFamilyName,
  type FamilyProviderSpec,
  type Fault,
  startFamilyFleet,
  startFleet,
} from '../../src/simulation/index.js';
import type { LogLine } from './fleet.js';
import { fleetUpstreams, sleep } from './ops.js';

export type DetectionFamily = 'evm' | FakeFamilyName;

const CHAIN = 'c';
export const REGION = 'region:aws/us-east-1';
export const AWS = ['aws-a', 'aws-b'];

/** A two-member region (1 ms), another region (3–4 ms) and one more domain (a decentralized network). */
const DETECTION_SPECS: FamilyProviderSpec[] = [
  { name: 'aws-a', cloud: 'aws', region: 'us-east-1', provider: 'p1', latencyMs: 1 },
  { name: 'aws-b', cloud: 'aws', region: 'us-east-1', provider: 'p2', latencyMs: 1 },
  { name: 'gcp-a', cloud: 'gcp', region: 'europe-west1', provider: 'p3', latencyMs: 3 },
  { name: 'gcp-b', cloud: 'gcp', region: 'europe-west1', provider: 'p4', latencyMs: 4 },
  {
    name: 'lava-1',
    cloud: 'decentralized',
    region: 'global',
    provider: 'lava',
    network: 'lava',
    latencyMs: 6,
  },
];

export interface DetectionFleet {
  /** The `chains:` config entry (one chain named CHAIN) pointing at the fleet. */
  chains: unknown[];
  setFault(target: DomainFilter, fault: Fault): Promise<void>;
  close(): Promise<void>;
}

/** The standard fake providers (EVM) or a family fleet, on the same specs. */
export async function startDetectionFleet(family: DetectionFamily): Promise<DetectionFleet> {
  if (family === 'evm') {
    const fleet = await startFleet({ providers: DETECTION_SPECS, blockTimeMs: 200 });
    return {
      chains: [{ name: CHAIN, chainId: fleet.chain.chainId, upstreams: fleetUpstreams(fleet) }],
      setFault: (target, fault) => fleet.setFault(target, fault),
      close: () => fleet.close(),
    };
  }
  const fleet = await startFamilyFleet(family, { providers: DETECTION_SPECS, intervalMs: 200 });
  const { chains } = parse(fleet.upstreamsYaml(CHAIN)) as { chains: unknown[] };
  return {
    chains,
    setFault: (target, fault) => fleet.setFault(target, fault),
    close: () => fleet.close(),
  };
}

/** An ordinary read of each family, one that no probe makes (`i` varies it where the family allows). */
const FAMILY_READS: Record<DetectionFamily, (i: number) => { method: string; params: unknown }> = {
  evm: (i) => ({
    method: 'eth_getBalance',
    params: [`0x${(0xaa00 + i).toString(16).padStart(40, '0')}`, 'latest'],
  }),
  solana: () => ({ method: 'getBalance', params: ['So11111111111111111111111111111111111111112'] }),
  bitcoin: () => ({ method: 'getblockcount', params: [] }),
  cometbft: () => ({ method: 'abci_info', params: {} }),
};

interface DetectionView {
  state: 'clear' | 'suspect' | 'down';
  reason: string | null;
  since: string | null;
}

export interface DetectionStatus {
  domains: { key: string; state: string; opens: number; openedAt: string | null }[];
  upstreams: { name: string; usable: boolean; breaker: string; health: string; detection: DetectionView }[];
}

async function detectionStatus(url: string): Promise<DetectionStatus> {
  const res = await fetch(`${url}/status`);
  const doc = (await res.json()) as { chains: DetectionStatus[] };
  return doc.chains[0]!;
}

export const domainState = (s: DetectionStatus, key = REGION) => s.domains.find((d) => d.key === key)!.state;
export const upstreamOf = (s: DetectionStatus, name: string) => s.upstreams.find((u) => u.name === name)!;

/**
 * Reads /status every `everyMs` until `done` holds or `timeoutMs` passed. Resolves with the last view
 * and when (performance.now()) the read that satisfied `done` was issued, or undefined if none did.
 */
export async function pollStatus(
  url: string,
  done: (s: DetectionStatus) => boolean,
  timeoutMs: number,
  everyMs = 10,
): Promise<{ status: DetectionStatus; atMs: number | undefined }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const sentMs = performance.now();
    const status = await detectionStatus(url);
    if (done(status)) return { status, atMs: sentMs };
    if (performance.now() >= deadline) return { status, atMs: undefined };
    await sleep(everyMs);
  }
}

export interface ReadSample {
  sentMs: number;
  ok: boolean;
  upstream: string | undefined;
  error?: string;
}

/** One JSON-RPC read through the balancer; resolves with whether it got a result and from where. */
export async function readOnce(pool: Pool, family: DetectionFamily, i: number): Promise<ReadSample> {
  const sentMs = performance.now();
  const body = JSON.stringify({ jsonrpc: '2.0', id: i, ...FAMILY_READS[family](i) });
  try {
    const res = await pool.request({
      path: `/${CHAIN}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.body.text();
    const upstream = res.headers['x-switchyard-upstream'];
    const ok = res.statusCode === 200 && text.includes('"result"');
    return {
      sentMs,
      ok,
      upstream: typeof upstream === 'string' ? upstream : undefined,
      ...(ok ? {} : { error: `${res.statusCode} ${text.slice(0, 300)}` }),
    };
  } catch (err) {
    return { sentMs, ok: false, upstream: undefined, error: String(err) };
  }
}

export interface PacedReads {
  samples: ReadSample[];
  /** Stops issuing reads; resolves once every read in flight has finished (idempotent). */
  stop(): Promise<ReadSample[]>;
}

/**
 * An open loop of `perSecond` reads a second (each sent on schedule, whether or not the previous one
 * was answered), bounded by `maxMs`.
 */
export function pacedReads(
  url: string,
  family: DetectionFamily,
  perSecond: number,
  maxMs: number,
): PacedReads {
  const pool = new Pool(url, { connections: 4 });
  const samples: ReadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const gapMs = 1000 / perSecond;
  const startMs = performance.now();
  let i = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped || performance.now() - startMs > maxMs) return;
    const read = readOnce(pool, family, i++).then((s) => {
      samples.push(s);
      inFlight.delete(read);
    });
    inFlight.add(read);
    // Re-aimed at the schedule each time, so a late timer does not slow the rate down.
    timer = setTimeout(tick, Math.max(0, startMs + i * gapMs - performance.now()));
  };
  tick();
  let stopping: Promise<ReadSample[]> | undefined;
  return {
    samples,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      stopping ??= Promise.all(inFlight)
        .then(() => pool.close())
        .then(() => samples);
      return stopping;
    },
  };
}

/** What a failure message needs: detection and breaker log lines, timed from `sinceEpochMs`. */
export function timeline(logs: readonly LogLine[], sinceEpochMs: number): string {
  return logs
    .filter((l) => /suspect|confirmed|cleared|breaker|fleet member/.test(l.msg))
    .map((l) => {
      const at = Date.parse(l.time) - sinceEpochMs;
      const what = [l.upstream ?? l.domain, l.from, l.to, l.reason].filter((x) => x !== undefined);
      return `${at} ms ${l.msg} ${what.join(' ')}`;
    })
    .join('\n');
}
