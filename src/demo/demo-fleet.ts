// The simulated fleet of `switchyard demo`: the bench's standard fleet (two hyperscaler regions and
// a decentralized network) plus a bare-metal operator, so every kind of failure domain is on show.
import { type ProviderSpec, standardFleet } from '../simulation/index.js';

export const DEMO_CHAIN = 'ethereum';
export const DEMO_CHAIN_ID = 1;
/** A new block every second: heads move on the dashboard. */
export const DEMO_BLOCK_TIME_MS = 1000;

export function demoFleet(): ProviderSpec[] {
  return [
    ...standardFleet(),
    { name: 'ovh-gra-1', cloud: 'bare-metal', region: 'gra', provider: 'ovh', latencyMs: 8 },
  ];
}
