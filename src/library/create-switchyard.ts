// Switchyard in process: the same config shape as the YAML file (validated by buildConfig, with the
// same errors), the same runtime and call stages as the HTTP server, but no JSON-RPC socket. Calls
// go straight into the pipeline; close() stops health checks and destroys every upstream pool.
// `tracing` and `server.opsListen` are honoured as the CLI honours them, through the same wiring
// (src/app/configured-tracing.ts, src/server/ops-listener.ts); neither is loaded or built without its key.

import type { AddressInfo } from 'node:net';
import { traceIfConfigured } from '../app/configured-tracing.js';
import { createOperations, operationalStages, type Wiring } from '../app/operations.js';
import { buildConfig, type Config } from '../config/config.js';
import { type Logger, silentLogger } from '../log/logger.js';
import { nullObserver, type Observer, observeBoth } from '../routing/observer.js';
import { observeTraffic, TrafficMeter } from '../routing/traffic-share.js';
import { catalogueError } from '../rpc/errors.js';
import type { RpcCall } from '../rpc/jsonrpc.js';
import { Runtime } from '../runtime/runtime.js';
import { OpsListener, type OpsView } from '../server/ops-listener.js';
import { runPipeline } from '../stages/call-pipeline.js';
import { statusDocument } from '../status/status-model.js';
import { VERSION } from '../status/version.js';
import { rpcErrorFromRaw } from './rpc-error.js';

export interface SwitchyardOptions {
  /** Named in config errors, like the YAML file is for the CLI. */
  configName?: string;
  /** Where log lines go; silent by default (a library should not write to stdout). */
  logger?: Logger;
  /** Extra observer of attempts, requests and breaker transitions (e.g. your own metrics). */
  observer?: Observer;
}

export interface RpcRequest {
  method: string;
  params?: unknown[] | Record<string, unknown> | undefined;
}

export interface Switchyard {
  readonly config: Config;
  /** The call's result; throws SwitchyardRpcError carrying the JSON-RPC error object otherwise. */
  request<T = unknown>(chain: string, call: RpcRequest): Promise<T>;
  /** Where the operator routes listen (`server.opsListen`); undefined without it. */
  readonly opsAddress: AddressInfo | undefined;
  /** The document GET /status serves. */
  status(): ReturnType<typeof statusDocument>;
  /**
   * Waits for calls in flight (up to server.shutdownGrace), then releases every socket and timer,
   * closes the operator listener and exports the spans still buffered.
   */
  close(): Promise<void>;
}

const DEFAULT_CONFIG_NAME = 'createSwitchyard(config)';
const DRAIN_POLL_MS = 5;

export async function createSwitchyard(raw: unknown, options: SwitchyardOptions = {}): Promise<Switchyard> {
  const config = buildConfig(raw, options.configName ?? DEFAULT_CONFIG_NAME);
  const logger = options.logger ?? silentLogger;
  const traffic = new TrafficMeter();
  // The operator routes' metrics, dashboard, admin cordons (and their observer) only when served.
  const ops = config.server.opsListen ? createOperations() : undefined;
  const userObserver = options.observer ?? nullObserver;
  const wiring: Wiring = {
    options: {
      observer: ops ? observeBoth(ops.metrics.observer, userObserver) : userObserver,
      stages: ops?.options.stages ?? operationalStages(),
    },
  };
  const tracing = await traceIfConfigured(wiring, config, logger);
  const observer = observeTraffic(wiring.options.observer ?? nullObserver, traffic);
  const runtime = new Runtime(config, logger, observer, undefined, ops?.cordons);
  const stages = wiring.options.stages ?? [];
  const startedAtMs = Date.now();
  let inFlight = 0;
  let closing: Promise<void> | undefined;

  const view: OpsView = {
    runtime,
    observer,
    logger,
    startedAtMs,
    configLoadedAtMs: startedAtMs,
    traffic,
    get requestsInFlight() {
      return inFlight;
    },
    get isDraining() {
      return closing !== undefined;
    },
  };
  ops?.attach(view);
  const opsListener = ops && new OpsListener(view, ops.options.routes ?? []);
  await runtime.start();
  try {
    if (opsListener && config.server.opsListen) await opsListener.listen(config.server.opsListen);
  } catch (err) {
    await Promise.all([runtime.close(), tracing?.shutdown()]);
    throw err;
  }

  let nextId = 1;
  async function request<T>(chainName: string, { method, params }: RpcRequest): Promise<T> {
    if (closing) throw rpcErrorFromRaw(catalogueError('SHUTTING_DOWN'), undefined);
    const chain = runtime.chains.get(chainName);
    if (!chain) throw rpcErrorFromRaw(catalogueError('NOT_FOUND', `chain ${chainName}`), undefined);
    const paramsValue = params ?? [];
    const call: RpcCall = {
      id: String(nextId++),
      method,
      params: paramsValue,
      paramsRaw: JSON.stringify(paramsValue),
    };
    inFlight++;
    try {
      const deadlineAtMs = Date.now() + config.server.requestTimeoutMs;
      const answer = await runPipeline(stages, { runtime, chain, call, deadlineAtMs, inProcess: true });
      if (answer.kind === 'result') return answer.value as T;
      throw rpcErrorFromRaw(answer.raw, answer.upstream);
    } finally {
      inFlight--;
    }
  }

  async function drainThenClose(): Promise<void> {
    const until = Date.now() + config.server.shutdownGraceMs;
    while (inFlight > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    await Promise.all([runtime.close(), opsListener?.close()]);
    await tracing?.shutdown();
  }

  return {
    config,
    request,
    get opsAddress() {
      return opsListener?.address;
    },
    status: () => statusDocument(runtime, view, VERSION),
    close() {
      closing ??= drainThenClose();
      return closing;
    },
  };
}
