// A fleet: several fake providers on one simulated chain, each labelled with its failure domains
// (cloud, region, provider, network), so a test or scenario can take down a whole region at once.

import { stringify } from 'yaml';
import { ChainSim } from './chain-sim.js';
import { type FakeProvider, type RpcHandler, startFakeProvider } from './fake-provider.js';
import type { Fault } from './faults.js';

export interface ProviderSpec {
  name: string;
  cloud: string;
  region: string;
  provider: string;
  network?: string;
  /** Simulated delay before each answer. */
  latencyMs?: number | undefined;
  fault?: Fault;
  /** Serve WebSocket too (eth_subscribe); see FakeProviderOptions.ws. */
  ws?: boolean;
}

type FleetProvider = FakeProvider & { readonly spec: ProviderSpec };

export interface DomainFilter {
  cloud?: string;
  region?: string;
  provider?: string;
  network?: string;
}

export interface FleetOptions {
  chainId?: number;
  /** Auto-mine every blockTimeMs; omitted, the chain only moves on fleet.chain.advance(). */
  blockTimeMs?: number;
  startBlock?: number;
  providers: ProviderSpec[];
  /** Shared custom handler for every provider (see startFakeProvider). */
  handler?: RpcHandler;
  /** WebSocket on every provider (otherwise per ProviderSpec.ws). */
  ws?: boolean;
  /** Event logs per block (ChainSimOptions.logsPerBlock); default 0. */
  logsPerBlock?: number;
}

interface UpstreamsYamlOptions {
  /** Adds `ws: ws://…` to every WebSocket-enabled upstream (the balancer's optional `ws` key). */
  ws?: boolean;
}

export interface Fleet {
  readonly chain: ChainSim;
  readonly providers: FleetProvider[];
  /** Throws on an unknown name, so a typo in a scenario fails loudly. */
  get(name: string): FleetProvider;
  /** Providers matching every label given; {} matches all. */
  byDomain(filter: DomainFilter): FleetProvider[];
  /** Sets the fault on one provider (by name) or on every provider of a domain; throws if none match. */
  setFault(target: string | DomainFilter, fault: Fault): Promise<void>;
  /** `chains:` config snippet pointing at this fleet. */
  upstreamsYaml(chainName?: string, opts?: UpstreamsYamlOptions): string;
  close(): Promise<void>;
}

function matches(spec: ProviderSpec, filter: DomainFilter): boolean {
  return (
    (filter.cloud === undefined || spec.cloud === filter.cloud) &&
    (filter.region === undefined || spec.region === filter.region) &&
    (filter.provider === undefined || spec.provider === filter.provider) &&
    (filter.network === undefined || spec.network === filter.network)
  );
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const names = new Set<string>();
  for (const spec of opts.providers) {
    if (names.has(spec.name)) throw new Error(`fleet: duplicate provider name ${spec.name}`);
    names.add(spec.name);
  }
  const chain = new ChainSim({
    chainId: opts.chainId ?? 1,
    startBlock: opts.startBlock ?? 1000,
    blockTimeMs: opts.blockTimeMs,
    logsPerBlock: opts.logsPerBlock,
  });
  const started = await Promise.allSettled(
    opts.providers.map((spec) =>
      startFakeProvider({
        name: spec.name,
        chain,
        latencyMs: spec.latencyMs,
        fault: spec.fault,
        handler: opts.handler,
        ws: opts.ws === true || spec.ws === true,
      }).then((p): FleetProvider => Object.assign(p, { spec })),
    ),
  );
  const providers: FleetProvider[] = [];
  for (const r of started) if (r.status === 'fulfilled') providers.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(providers.map((p) => p.close()));
    throw failed.reason;
  }
  if (opts.blockTimeMs !== undefined) chain.start();
  const byName = new Map(providers.map((p) => [p.name, p]));

  const fleet: Fleet = {
    chain,
    providers,
    get(name) {
      const p = byName.get(name);
      if (!p) throw new Error(`fleet: no provider named ${name}`);
      return p;
    },
    byDomain(filter) {
      return providers.filter((p) => matches(p.spec, filter));
    },
    async setFault(target, fault) {
      const targets = typeof target === 'string' ? [fleet.get(target)] : fleet.byDomain(target);
      if (targets.length === 0) throw new Error(`fleet: no provider matches ${JSON.stringify(target)}`);
      await Promise.all(targets.map((p) => p.setFault(fault)));
    },
    upstreamsYaml(chainName = 'ethereum', yamlOpts = {}) {
      const upstreams = providers.map((p) => {
        const { name, cloud, region, provider, network } = p.spec;
        return {
          name,
          url: p.url,
          ...(yamlOpts.ws && p.wsUrl ? { ws: p.wsUrl } : {}),
          cloud,
          region,
          provider,
          ...(network === undefined ? {} : { network }),
        };
      });
      return stringify({ chains: [{ name: chainName, chainId: chain.chainId, upstreams }] });
    },
    async close() {
      chain.stop();
      await Promise.all(providers.map((p) => p.close()));
    },
  };
  return fleet;
}

/**
 * The fleet from the product issue: two upstreams in aws/us-east-1 (fastest), two in
 * gcp/europe-west1, one on a decentralized network (slowest). Latencies are simulated one-way delays.
 */
export function standardFleet(): ProviderSpec[] {
  return [
    { name: 'aws-use1-a', cloud: 'aws', region: 'us-east-1', provider: 'alchemy', latencyMs: 2 },
    { name: 'aws-use1-b', cloud: 'aws', region: 'us-east-1', provider: 'infura', latencyMs: 2 },
    { name: 'gcp-euw1-a', cloud: 'gcp', region: 'europe-west1', provider: 'quicknode', latencyMs: 6 },
    { name: 'gcp-euw1-b', cloud: 'gcp', region: 'europe-west1', provider: 'ankr', latencyMs: 6 },
    {
      name: 'lava-1',
      cloud: 'decentralized',
      region: 'global',
      provider: 'lava',
      network: 'lava',
      latencyMs: 12,
    },
  ];
}
