// The simulated provider fleet used by tests and the benchmark harness.

export { ChainSim } from './chain-sim.js';
export { type FakeProvider, type RpcHandler, startFakeProvider } from './fake-provider.js';
export {
  type FakeFamilyName,
  type FamilyCondition,
  type FamilyFleet,
  type FamilyProviderSpec,
  startFamilyFleet,
} from './family-fleet.js';
export { activeFault, cloudflarePage, type Fault, prepareFault, refuseFlapPeriods } from './faults.js';
export { type DomainFilter, type Fleet, type ProviderSpec, standardFleet, startFleet } from './fleet.js';
export { logMatches, parseLogMatcher } from './log-filter.js';
export type { RpcErrorObject } from './rpc-envelope.js';
export { sha256Hex } from './sim-hex.js';
export { LOG_ADDRESSES, LOG_TOPIC0S, type SimLog } from './sim-logs.js';
