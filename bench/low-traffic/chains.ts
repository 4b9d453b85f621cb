// What the low-traffic runner needs of a fault's chain: a fresh fleet serving it, the target started
// over that fleet with the endpoint reads go to, and the cheap reads to send (with the method names a
// recording's method index stands for). EVM: the standard fake fleet (chain id 1, 250 ms blocks),
// any target, the cheap half of the bench's read mix. Solana, bitcoin, cometbft: a family fleet,
// Switchyard only (configured for that family), the family's cycle of reads (families/reads.ts).
import type { FakeFamilyName } from '../../src/simulation/family-fleet.js';
import {
  type DomainFilter,
  type FakeProvider,
  type Fault,
  type ProviderSpec,
  startFleet,
} from '../../src/simulation/index.js';
import { startBenchFamilyFleet, startFamilySwitchyard } from '../families/chain.js';
import { familyReadMethods, familyReadMix } from '../families/reads.js';
import { MIX_METHODS, type RequestMix } from '../load/mix.js';
import { type RunningTarget, startTarget, upstreamRefsOf } from '../targets/index.js';
import type { ClientTarget, LowTrafficChain, LowTrafficTarget } from './plan.js';
import { cheapReadMix } from './reads.js';

export const EVM_CHAIN_ID = 1;
const BLOCK_TIME_MS = 250;

/** The part of a fleet (EVM or family) the runner uses. */
export interface ChainFleet {
  readonly providers: readonly (FakeProvider & { readonly spec: ProviderSpec })[];
  byDomain(filter: DomainFilter): readonly { name: string }[];
  setFault(target: DomainFilter, fault: Fault): Promise<void>;
  close(): Promise<void>;
}

type ProxyTarget = Exclude<LowTrafficTarget, ClientTarget>;

/** A started fleet and how to start a proxy over it (the URL its reads go to with it). */
interface ChainRun {
  fleet: ChainFleet;
  startProxy(
    target: ProxyTarget,
    dir: string,
    core: number,
  ): Promise<{ running: RunningTarget; endpoint: string }>;
}

export interface ChainKit {
  start(providers: ProviderSpec[]): Promise<ChainRun>;
  /** Cheap reads, deterministic per seed. */
  mix(seed: number): RequestMix;
  /** Method name per method index of the mix's requests. */
  methods: readonly string[];
}

const EVM_KIT: ChainKit = {
  async start(providers) {
    const fleet = await startFleet({ chainId: EVM_CHAIN_ID, blockTimeMs: BLOCK_TIME_MS, providers });
    return {
      fleet,
      async startProxy(target, dir, core) {
        const opts = {
          upstreams: upstreamRefsOf(fleet),
          dir,
          core,
          chainId: EVM_CHAIN_ID,
          mode: 'failover' as const,
        };
        const running = await startTarget(target, opts);
        return { running, endpoint: running.url };
      },
    };
  },
  mix: cheapReadMix,
  methods: MIX_METHODS,
};

function familyKit(family: FakeFamilyName): ChainKit {
  return {
    async start(providers) {
      const fleet = await startBenchFamilyFleet(family, providers);
      return {
        fleet,
        startProxy(target, dir, core) {
          if (target !== 'switchyard')
            throw new Error(`low traffic: ${target} does not run on a ${family} fleet`);
          return startFamilySwitchyard(fleet, dir, core);
        },
      };
    },
    // A fixed cycle: the seed only picks the EVM mix's accounts.
    mix: () => familyReadMix(family),
    methods: familyReadMethods(family),
  };
}

const KITS: Record<LowTrafficChain, ChainKit> = {
  ethereum: EVM_KIT,
  solana: familyKit('solana'),
  bitcoin: familyKit('bitcoin'),
  cometbft: familyKit('cometbft'),
};

export function chainKit(chain: LowTrafficChain): ChainKit {
  return KITS[chain];
}
