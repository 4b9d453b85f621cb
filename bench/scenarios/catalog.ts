// The outage scenarios: a fleet, which providers are hit, and a timeline of faults relative to the
// fault start. Times are for the full run; --quick scales every phase by a factor.
import {
  cloudflarePage,
  type DomainFilter,
  type Fault,
  type ProviderSpec,
  standardFleet,
} from '../../src/simulation/index.js';

interface FaultStep {
  /** Offset from the fault start (full-run milliseconds; scaled in quick runs). */
  atMs: number;
  fault: Fault;
  /** Shown on the chart and in the report. */
  label: string;
  /** Providers hit by this step; the scenario's `hit` when omitted. */
  target?: DomainFilter | string;
}

export interface Scenario {
  name: string;
  title: string;
  /** One sentence for the report. */
  what: string;
  fleet: () => ProviderSpec[];
  /** The providers the fault is applied to. */
  hit: DomainFilter | string;
  /** Steps in time order; the fault ends (every hit provider healthy) at faultMs. */
  steps: FaultStep[];
  faultMs: number;
  /** The Switchyard failure domain expected to open, if any. */
  domain?: string;
  /** Whether a healthy failure domain remains during the fault (then zero failed reads is the target). */
  healthyDomainRemains: boolean;
  /** Count answers whose head is behind the chain (stale-head scenarios). */
  checkStale?: boolean;
  /** Every answer from a hit provider during the fault is wrong (wrong chain). */
  answersAreWrong?: boolean;
  /** Issue 3: the hit upstreams should lose traffic share without being ejected (no domain open). */
  expectNoEject?: boolean;
}

/**
 * The standard fleet with one provider company in two regions: "alchemy" runs aws-use1-a and
 * gcp-euw1-a, so a provider-wide outage hits both regions while each region keeps a healthy member.
 */
export function providerSpanningFleet(): ProviderSpec[] {
  return standardFleet().map((p) => (p.name === 'gcp-euw1-a' ? { ...p, provider: 'alchemy' } : p));
}

const AWS: DomainFilter = { cloud: 'aws', region: 'us-east-1' };
const AWS_DOMAIN = 'region:aws/us-east-1';

export const SCENARIOS: Scenario[] = [
  {
    name: 'region-blackhole',
    title: 'Region blackhole (aws/us-east-1 hangs)',
    what: 'Both aws/us-east-1 upstreams accept connections and never answer.',
    fleet: standardFleet,
    hit: AWS,
    steps: [{ atMs: 0, fault: { kind: 'hang' }, label: 'hang' }],
    faultMs: 8000,
    domain: AWS_DOMAIN,
    healthyDomainRemains: true,
  },
  {
    name: 'region-refuse',
    title: 'Region refuses connections (aws/us-east-1)',
    what: 'Both aws/us-east-1 upstreams close their port: ECONNREFUSED.',
    fleet: standardFleet,
    hit: AWS,
    steps: [{ atMs: 0, fault: { kind: 'refuse' }, label: 'refuse' }],
    faultMs: 8000,
    domain: AWS_DOMAIN,
    healthyDomainRemains: true,
  },
  {
    name: 'provider-outage',
    title: 'Provider-wide outage (alchemy in both regions, 503)',
    what: 'Provider "alchemy" (aws-use1-a and gcp-euw1-a) answers every call with a Cloudflare 503 page.',
    fleet: providerSpanningFleet,
    hit: { provider: 'alchemy' },
    steps: [{ atMs: 0, fault: cloudflarePage(503), label: '503 page' }],
    faultMs: 8000,
    domain: 'provider:alchemy',
    healthyDomainRemains: true,
  },
  {
    name: 'brownout',
    title: 'Brownout (aws/us-east-1 +300 ms)',
    what: 'Every answer from aws/us-east-1 is delayed by 300 ms (+0..50 ms jitter); nothing fails.',
    fleet: standardFleet,
    hit: AWS,
    steps: [{ atMs: 0, fault: { kind: 'slow', extraMs: 300, jitterMs: 50 }, label: '+300 ms' }],
    faultMs: 8000,
    domain: AWS_DOMAIN,
    healthyDomainRemains: true,
    expectNoEject: true,
  },
  {
    name: 'rate-limit-storm',
    title: '429 storm with Retry-After (aws/us-east-1)',
    what: 'Both aws/us-east-1 upstreams answer HTTP 429 with Retry-After: 2 to every call.',
    fleet: standardFleet,
    hit: AWS,
    steps: [{ atMs: 0, fault: { kind: 'throttle', retryAfterSec: 2 }, label: '429' }],
    faultMs: 8000,
    healthyDomainRemains: true,
  },
  {
    name: 'stale-head',
    title: 'Stale head (aws-use1-a stops following the chain)',
    what: 'aws-use1-a freezes its head while the chain moves on (250 ms blocks); answers stay fast.',
    fleet: standardFleet,
    hit: 'aws-use1-a',
    steps: [{ atMs: 0, fault: { kind: 'stale_head' }, label: 'head frozen' }],
    faultMs: 8000,
    healthyDomainRemains: true,
    checkStale: true,
  },
  {
    name: 'wrong-chain',
    title: 'Wrong chain (aws-use1-a re-pointed to chain 5)',
    what: 'aws-use1-a starts answering for another chain (eth_chainId 0x5) behind the same URL.',
    fleet: standardFleet,
    hit: 'aws-use1-a',
    steps: [{ atMs: 0, fault: { kind: 'wrong_chain', chainId: 5 }, label: 'chain 5' }],
    faultMs: 8000,
    healthyDomainRemains: true,
    answersAreWrong: true,
  },
  {
    name: 'flapping-region',
    title: 'Flapping region (aws/us-east-1 hangs 1 s, answers 1 s)',
    what: 'aws/us-east-1 alternates between hanging and healthy every second.',
    fleet: standardFleet,
    hit: AWS,
    steps: [
      { atMs: 0, fault: { kind: 'flapping', periodMs: 1000, fault: { kind: 'hang' } }, label: 'flapping' },
    ],
    faultMs: 8000,
    domain: AWS_DOMAIN,
    healthyDomainRemains: true,
  },
  {
    name: 'aws-2025-10-20',
    title: 'Replay of the 2025-10-20 AWS us-east-1 outage shape',
    what:
      'aws/us-east-1 degrades (latency rising to +200 ms, 5% then 20% 5xx), then fails (hang), then ' +
      'recovers slowly (refusing every other second) before it is healthy again.',
    fleet: standardFleet,
    hit: AWS,
    steps: [
      {
        atMs: 0,
        fault: {
          kind: 'error_rate',
          rate: 0.05,
          fault: { kind: 'http_status', status: 503 },
          otherwise: { kind: 'slow', extraMs: 60, jitterMs: 40 },
        },
        label: 'degraded: +60 ms, 5% 503',
      },
      {
        atMs: 3000,
        fault: {
          kind: 'error_rate',
          rate: 0.2,
          fault: { kind: 'http_status', status: 503 },
          otherwise: { kind: 'slow', extraMs: 200, jitterMs: 100 },
        },
        label: 'degraded: +200 ms, 20% 503',
      },
      { atMs: 6000, fault: { kind: 'hang' }, label: 'down: hang' },
      {
        atMs: 11_000,
        fault: { kind: 'flapping', periodMs: 1000, fault: { kind: 'refuse' } },
        label: 'recovering: flapping',
      },
    ],
    faultMs: 15_000,
    domain: AWS_DOMAIN,
    healthyDomainRemains: true,
  },
];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
