// A non-EVM family's chain as the bench runs it (families group, low-traffic group): a family fleet
// with the family's slot or block interval, and Switchyard configured for it from the fleet's
// `chains:` snippet (`family:` and the genesis hash or network), called at POST /<family>.
import { parse } from 'yaml';
import {
  type FakeFamilyName,
  type FamilyFleet,
  type FamilyProviderSpec,
  startFamilyFleet,
} from '../../src/simulation/family-fleet.js';
import { startSwitchyard } from '../targets/switchyard.js';
import { type RunningTarget, upstreamRefsOf } from '../targets/target.js';

export const BENCH_FAMILIES: FakeFamilyName[] = ['solana', 'bitcoin', 'cometbft'];

/** Slot / block interval of each family's simulated chain. */
const INTERVAL_MS: Record<FakeFamilyName, number> = { solana: 400, bitcoin: 1000, cometbft: 1000 };

export function startBenchFamilyFleet(
  family: FakeFamilyName,
  providers: FamilyProviderSpec[],
): Promise<FamilyFleet> {
  return startFamilyFleet(family, { providers, intervalMs: INTERVAL_MS[family] });
}

/** The proxy's options for a family fleet (no EVM chain id). */
export function familyStartOptions(fleet: FamilyFleet, dir: string, core: number) {
  return { upstreams: upstreamRefsOf(fleet), dir, core, chainId: 0, mode: 'failover' as const };
}

/** Switchyard over a family fleet, and the endpoint of its one chain. */
export async function startFamilySwitchyard(
  fleet: FamilyFleet,
  dir: string,
  core: number,
): Promise<{ running: RunningTarget; endpoint: string }> {
  const { chains } = parse(fleet.upstreamsYaml(fleet.family)) as { chains: unknown[] };
  const running = await startSwitchyard(familyStartOptions(fleet, dir, core), { chains });
  return { running, endpoint: `${running.url}${fleet.family}` };
}
