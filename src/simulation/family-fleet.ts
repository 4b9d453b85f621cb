// A fleet of fake nodes of one non-EVM family (solana, bitcoin, cometbft) on one shared simulated
// chain, labelled with failure domains like the EVM fleet, with a `chains:` config snippet that uses
// `family:` and the family's identity key (genesisHash for solana and bitcoin, network for cometbft).
import { stringify } from 'yaml';
import { ChainSim } from './chain-sim.js';
import { BitcoinChain, type BitcoinCondition, BitcoinNode } from './fake-bitcoin.js';
import { CometChain, type CometCondition, CometNode } from './fake-cometbft.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';
import { SolanaCluster, type SolanaCondition, SolanaNode } from './fake-solana.js';
import { FakeSolanaPubsub } from './fake-solana-pubsub.js';
import type { FamilyClock } from './family-wire.js';
import { jsonRpc2Wire } from './family-wire.js';
import type { DomainFilter, ProviderSpec } from './fleet.js';
import type { WireAnswerer } from './rpc-envelope.js';

export type FakeFamilyName = 'solana' | 'bitcoin' | 'cometbft';

export interface FamilyProviderSpec extends ProviderSpec {
  /** A node of another chain: a different genesis hash (solana, bitcoin) or network (cometbft). */
  wrongChain?: boolean;
  /** Bitcoin Core version of this node (default 28); before 28 it answers only 1.0 envelopes. */
  coreVersion?: number;
  /** CometBFT only: `discard_abci_responses = true`, block_results refused. */
  discardAbciResponses?: boolean;
}

export interface FamilyFleetOptions {
  providers: FamilyProviderSpec[];
  /** Slot or block interval for auto-advance; omitted, the chain moves only on fleet.clock.advance(). */
  intervalMs?: number;
  startHeight?: number;
  /** Solana only: each node also gets an agave PubSub endpoint, configured as its `ws` URL. */
  pubsub?: boolean;
}

/** The node-level conditions a family fake shows ("behind", "syncing", "catching up"). */
export type FamilyCondition = SolanaCondition | BitcoinCondition | CometCondition;

interface FamilyFleetProvider extends FakeProvider {
  readonly spec: FamilyProviderSpec;
  setCondition(condition: FamilyCondition): void;
}

export interface FamilyFleet {
  readonly family: FakeFamilyName;
  /** The shared chain head: slots (solana), blocks (bitcoin), heights (cometbft). */
  readonly clock: FamilyClock;
  /** The identity the chain is configured with: genesis hash or network. */
  readonly identity: string;
  readonly providers: FamilyFleetProvider[];
  readonly chain: SolanaCluster | BitcoinChain | CometChain;
  get(name: string): FamilyFleetProvider;
  byDomain(filter: DomainFilter): FamilyFleetProvider[];
  setFault: (target: string | DomainFilter, fault: Parameters<FakeProvider['setFault']>[0]) => Promise<void>;
  setCondition(target: string | DomainFilter, condition: FamilyCondition): void;
  /** The PubSub endpoint of a Solana node (fleets started with `pubsub: true`). */
  pubsub(name: string): FakeSolanaPubsub;
  /** `chains:` snippet: [{ name, family, genesisHash | network, upstreams }]. */
  upstreamsYaml(chainName?: string): string;
  close(): Promise<void>;
}

interface FamilyNodeHandle {
  wire: WireAnswerer;
  setCondition(condition: FamilyCondition): void;
  solana?: SolanaNode;
}

function matchesDomain(spec: ProviderSpec, filter: DomainFilter): boolean {
  return (Object.keys(filter) as Array<keyof DomainFilter>).every((k) => spec[k] === filter[k]);
}

function familyChain(family: FakeFamilyName, opts: FamilyFleetOptions) {
  switch (family) {
    case 'solana':
      return new SolanaCluster({ startSlot: opts.startHeight, slotTimeMs: opts.intervalMs });
    case 'bitcoin':
      return new BitcoinChain({ startHeight: opts.startHeight, blockTimeMs: opts.intervalMs });
    case 'cometbft':
      return new CometChain({ startHeight: opts.startHeight, blockTimeMs: opts.intervalMs });
  }
}

function nodeFor(
  chain: SolanaCluster | BitcoinChain | CometChain,
  spec: FamilyProviderSpec,
): FamilyNodeHandle {
  if (chain instanceof SolanaCluster) {
    const other = spec.wrongChain ? new SolanaCluster({ name: 'devnet' }).genesisHash : undefined;
    const node = new SolanaNode({ cluster: chain, genesisHash: other });
    return {
      wire: jsonRpc2Wire(node.call),
      setCondition: (c) => (node.condition = c as SolanaCondition),
      solana: node,
    };
  }
  if (chain instanceof BitcoinChain) {
    const other = spec.wrongChain ? new BitcoinChain({ name: 'dogecoin' }).genesisHash : undefined;
    const node = new BitcoinNode({ chain, genesisHash: other, coreVersion: spec.coreVersion });
    return { wire: node.wire, setCondition: (c) => (node.condition = c as BitcoinCondition) };
  }
  const node = new CometNode({
    chain,
    network: spec.wrongChain ? 'osmosis-1' : undefined,
    moniker: spec.name,
    discardAbciResponses: spec.discardAbciResponses,
  });
  return { wire: jsonRpc2Wire(node.call), setCondition: (c) => (node.condition = c as CometCondition) };
}

export async function startFamilyFleet(
  family: FakeFamilyName,
  opts: FamilyFleetOptions,
): Promise<FamilyFleet> {
  const names = new Set(opts.providers.map((p) => p.name));
  if (names.size !== opts.providers.length) throw new Error('family fleet: duplicate provider name');
  const chain = familyChain(family, opts);
  // The EVM ChainSim the provider plumbing requires; family answers never read it.
  const idle = new ChainSim({ chainId: 0, startBlock: 0 });
  const pubsubs = new Map<string, FakeSolanaPubsub>();
  const started = await Promise.allSettled(
    opts.providers.map(async (spec): Promise<FamilyFleetProvider> => {
      const node = nodeFor(chain, spec);
      const provider = await startFakeProvider({
        name: spec.name,
        chain: idle,
        latencyMs: spec.latencyMs,
        fault: spec.fault,
        wire: node.wire,
      });
      if (opts.pubsub && node.solana && chain instanceof SolanaCluster)
        pubsubs.set(spec.name, await FakeSolanaPubsub.start(node.solana, chain));
      return Object.assign(provider, { spec, setCondition: node.setCondition });
    }),
  );
  const providers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all([...providers.map((p) => p.close()), ...[...pubsubs.values()].map((p) => p.close())]);
    throw failed.reason;
  }
  chain.clock.start();
  const identity = chain instanceof CometChain ? chain.network : chain.genesisHash;
  const identityKey = family === 'cometbft' ? 'network' : 'genesisHash';

  const fleet: FamilyFleet = {
    family,
    clock: chain.clock,
    identity,
    providers,
    chain,
    get(name) {
      const p = providers.find((x) => x.name === name);
      if (!p) throw new Error(`family fleet: no provider named ${name}`);
      return p;
    },
    byDomain: (filter) => providers.filter((p) => matchesDomain(p.spec, filter)),
    async setFault(target, fault) {
      const targets = typeof target === 'string' ? [fleet.get(target)] : fleet.byDomain(target);
      if (targets.length === 0)
        throw new Error(`family fleet: no provider matches ${JSON.stringify(target)}`);
      await Promise.all(targets.map((p) => p.setFault(fault)));
    },
    setCondition(target, condition) {
      const targets = typeof target === 'string' ? [fleet.get(target)] : fleet.byDomain(target);
      if (targets.length === 0)
        throw new Error(`family fleet: no provider matches ${JSON.stringify(target)}`);
      for (const p of targets) p.setCondition(condition);
    },
    upstreamsYaml(chainName = family) {
      const upstreams = providers.map((p) => {
        const { name, cloud, region, provider, network } = p.spec;
        const ws = pubsubs.get(name)?.url;
        return {
          name,
          url: p.url,
          ...(ws === undefined ? {} : { ws }),
          cloud,
          region,
          provider,
          ...(network === undefined ? {} : { network }),
        };
      });
      return stringify({ chains: [{ name: chainName, family, [identityKey]: identity, upstreams }] });
    },
    pubsub(name) {
      const p = pubsubs.get(name);
      if (!p) throw new Error(`family fleet: no PubSub endpoint for ${name}`);
      return p;
    },
    async close() {
      chain.clock.stop();
      await Promise.all([...providers.map((p) => p.close()), ...[...pubsubs.values()].map((p) => p.close())]);
    },
  };
  return fleet;
}
