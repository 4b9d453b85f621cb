#!/usr/bin/env -S node --max-semi-space-size=8
// CLI: parse arguments, load the config, start the server; drain on SIGTERM, reload on SIGHUP.
// The node flag on the first line: a young generation of 8 MB semi-spaces instead of Node 20's 16 MB
// keeps the per-request garbage of a busy proxy in cache. wrk against one fake upstream, Switchyard
// pinned to one core, gave 10-15 % more saturation throughput with it (2026-12-01); the full bench
// runs that day were too noisy to confirm it. `npm start` and the Dockerfile pass the same flag.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.js';
import { configWarnings } from './config/config-warnings.js';
import { createLogger } from './log/logger.js';
import { SwitchyardServer } from './server/server.js';
import { VERSION } from './status/version.js';

const HELP = `switchyard ${VERSION} — outage-aware JSON-RPC load balancer

Usage:
  switchyard --config FILE [--watch]  run the balancer (--watch: reload when the file changes)
  switchyard check --config FILE      validate a config file (exit 0 valid, 1 invalid)
  switchyard demo [--port N]          a simulated multi-cloud fleet behind the balancer, a gentle
                                      load and fault controls on the dashboard (Ctrl-C stops it)
  switchyard bench providers --config FILE [--requests N] [--seconds S]
                                      measure and rank the configured upstreams
  switchyard --help | --version

Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the config file (every worker's).
Live status page: GET /dashboard; Prometheus metrics: GET /metrics.
Docs: README.md (config reference, HTTP interface, errors).`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      config: { type: 'string', short: 'c' },
      watch: { type: 'boolean', short: 'w' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  const command = positionals[0];
  if (command === 'demo') {
    const { runDemo } = await import('./demo/run-demo.js');
    return runDemo(argv.slice(argv.indexOf('demo') + 1));
  }
  if (command === 'bench') {
    const { runBenchCommand } = await import('./cli/bench-command.js');
    return runBenchCommand(argv.slice(1));
  }
  const file = typeof values.config === 'string' ? values.config : undefined;
  if (!file) {
    console.error('switchyard: --config FILE is required (see --help)');
    return 1;
  }
  if (command !== undefined && command !== 'check') {
    console.error(`switchyard: unknown command "${command}" (see --help)`);
    return 1;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`config error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (command === 'check') {
    const upstreams = config.chains.reduce((n, c) => n + c.upstreams.length, 0);
    console.log(`${file}: ok (${config.chains.length} chain(s), ${upstreams} upstream(s))`);
    for (const warning of configWarnings(config)) console.error(`warning: ${warning}`);
    return 0;
  }
  if (config.server.workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./fleet/workers.js');
    return runPrimary(config, createLogger(config.logging.level, config.secrets));
  }
  return serve(config, file, values.watch === true);
}

async function serve(config: ReturnType<typeof loadConfig>, file: string, watch: boolean): Promise<number> {
  const logger = createLogger(config.logging.level, config.secrets);
  const { createOperations } = await import('./app/operations.js');
  const { traceIfConfigured } = await import('./app/configured-tracing.js');
  const { ConfigReloader } = await import('./app/reload.js');
  const ops = createOperations();
  // Only with `tracing` configured: nothing of OpenTelemetry is loaded otherwise.
  const tracing = await traceIfConfigured(ops, config, logger);
  // Fleet mode and workers (src/fleet/): shared verdicts, cordons, rate limits and servedHead.
  const { startFleetMode } = await import('./fleet/fleet-mode.js');
  const { identifyWorker, reportWorkerReady, WORKER_SLOT_ENV } = await import('./fleet/worker-identity.js');
  const slot = cluster.isWorker ? process.env[WORKER_SLOT_ENV] : undefined;
  const identify = slot === undefined ? undefined : identifyWorker(ops, slot, config.server.workers);
  const fleet = await startFleetMode(config, logger, ops);
  const server = new SwitchyardServer(config, logger, fleet?.options ?? ops.options);
  // Budget spend across restarts (only when some provider has a budget); one file per worker.
  const { BudgetStateFile } = await import('./app/budget-state.js');
  const stateFile = slot === undefined ? config.stateFile : `${config.stateFile}.worker${slot}`;
  const budgetState = new BudgetStateFile(stateFile, () => server.runtime.providers, logger);
  budgetState.load();
  budgetState.start();
  ops.attach(server);
  fleet?.attach(server);
  identify?.(server);
  try {
    await server.listen();
  } catch (err) {
    logger.error('cannot listen', { error: (err as Error).message });
    return 1;
  }
  const reloader = new ConfigReloader(server, file, logger);
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  if (watch) {
    reloader.watch();
    logger.info('watching the config file', { file });
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      reloader.stop();
      logger.info('draining', { signal, inFlight: server.requestsInFlight });
      void server.shutdown(server.runtime.config.server.shutdownGraceMs).then(async (drained) => {
        await fleet?.close();
        budgetState.stop();
        await tracing?.shutdown();
        logger.info('stopped', { drained });
        resolve(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    if (identify) reportWorkerReady();
  });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`switchyard: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
