// The package entry point (`import … from 'switchyard'`): the balancer as a library. The CLI is
// src/main.ts; the viem transport is 'switchyard/viem' (src/viem.ts), so viem stays optional.
export type { ChainConfig, Config, UpstreamConfig } from './config/config.js';
export { ConfigError } from './config/config.js';
export {
  createSwitchyard,
  type RpcRequest,
  type Switchyard,
  type SwitchyardOptions,
} from './library/create-switchyard.js';
export { type JsonRpcErrorObject, SwitchyardRpcError } from './library/rpc-error.js';
export type { Logger } from './log/logger.js';
export { createLogger } from './log/logger.js';
export type { Observer } from './routing/observer.js';
