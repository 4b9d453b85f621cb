// The simulated provider fleet used by tests and the benchmark harness.

export {
  type BlockRef,
  type ChainEvent,
  ChainSim,
  type ChainSimOptions,
  type SimTransaction,
} from './chain-sim.js';
export {
  BitcoinChain,
  type BitcoinChainOptions,
  type BitcoinCondition,
  BitcoinNode,
  type BitcoinNodeOptions,
} from './fake-bitcoin.js';
export {
  CometChain,
  type CometChainOptions,
  type CometCondition,
  CometNode,
  type CometNodeOptions,
} from './fake-cometbft.js';
export type { WireAnswer, WireAnswerer } from './fake-provider.js';
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
  SOLANA_HEALTH_SLOT_DISTANCE,
  SolanaCluster,
  type SolanaClusterOptions,
  type SolanaCondition,
  SolanaNode,
  type SolanaNodeOptions,
} from './fake-solana.js';
export {
  type FakeFamilyName,
  type FamilyCondition,
  type FamilyFleet,
  type FamilyFleetOptions,
  type FamilyFleetProvider,
  type FamilyProviderSpec,
  startFamilyFleet,
} from './family-fleet.js';
export { envelope2, type FamilyCall, FamilyClock, jsonRpc2Wire } from './family-wire.js';
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
export { type Hex, sha256Hex, toQuantity } from './sim-hex.js';
export { blockLogs, LOG_ADDRESSES, LOG_TOPIC0S, logsBloom, type SimLog } from './sim-logs.js';
export { headerOf } from './ws-endpoint.js';
