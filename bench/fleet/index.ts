// The simulated provider fleet used by tests and the benchmark harness.

export {
  type BlockRef,
  type ChainEvent,
  ChainSim,
  type ChainSimOptions,
  type Hex,
  type SimTransaction,
  sha256Hex,
  toQuantity,
} from './chain-sim.js';
export {
  type FakeProvider,
  type FakeProviderOptions,
  type ProviderStats,
  type RpcCall,
  type RpcErrorObject,
  type RpcHandler,
  type RpcOutcome,
  startFakeProvider,
} from './fake-provider.js';
export {
  activeFault,
  cloudflarePage,
  type Fault,
  type LeafFault,
  NO_FAULT,
  prepareFault,
  refuseFlapPeriods,
  type ThrottleStyle,
} from './faults.js';
export {
  type DomainFilter,
  type Fleet,
  type FleetOptions,
  type FleetProvider,
  type ProviderSpec,
  standardFleet,
  startFleet,
  type UpstreamsYamlOptions,
} from './fleet.js';
export { type LogMatcher, logMatches, parseLogMatcher } from './log-filter.js';
export { blockLogs, LOG_ADDRESSES, LOG_TOPIC0S, logsBloom, type SimLog } from './sim-logs.js';
export { headerOf } from './ws-endpoint.js';
