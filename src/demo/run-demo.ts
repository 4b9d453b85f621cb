// `switchyard demo [--port N]`: the simulated multi-cloud fleet on 127.0.0.1, the balancer in front
// of it (with the fault controls on its dashboard), a gentle read load, and the URLs to open. Ctrl-C
// (SIGINT or SIGTERM) stops the load, the balancer and every fake provider, then exits 0.
import { parseArgs } from 'node:util';
import { dashboardRouteWith } from '../../routes/dashboard.js';
import { createOperations } from '../app/operations.js';
import { buildConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { SwitchyardServer } from '../server/server.js';
import { type Fleet, startFleet } from '../simulation/index.js';
import { DEMO_CONTROLS } from './dashboard-demo-controls.js';
import { DEMO_BLOCK_TIME_MS, DEMO_CHAIN, DEMO_CHAIN_ID, demoFleet } from './demo-fleet.js';
import { DemoLoad } from './demo-load.js';
import { FaultControls, faultControlRoute } from './fault-controls.js';

const USAGE = 'usage: switchyard demo [--port N]   (default port 8545; 0 picks a free one)';
const LOAD = { ratePerSecond: 20, maxMs: 30 * 60_000, maxInFlight: 8 };
const REPORT_EVERY_MS = 10_000;
/** The demo runs with the diversity caps on, so the dashboard shows shares against caps. */
const DEMO_MAX_SHARE = { cloud: 0.5, provider: 0.4 };

function demoConfig(fleet: Fleet, port: number) {
  return buildConfig(
    {
      server: { host: '127.0.0.1', port, shutdownGrace: '2s' },
      // Breaker transitions are warnings: the terminal shows a region opening and closing.
      logging: { level: 'warn' },
      // The defaults otherwise: the detector's probes open a hung region at 20 reads/s (or none).
      routing: { maxShare: DEMO_MAX_SHARE },
      chains: [
        {
          name: DEMO_CHAIN,
          chainId: DEMO_CHAIN_ID,
          upstreams: fleet.providers.map(({ name, url, spec }) => ({
            name,
            url,
            cloud: spec.cloud,
            region: spec.region,
            provider: spec.provider,
            ...(spec.network ? { network: spec.network } : {}),
          })),
        },
      ],
    },
    'switchyard demo',
  );
}

function banner(base: string, fleet: Fleet): string {
  const rows = fleet.providers.map(
    (p) =>
      `  ${p.name.padEnd(12)} ${`${p.spec.cloud}/${p.spec.region}`.padEnd(22)} ${p.spec.provider.padEnd(10)} ${p.url}`,
  );
  return [
    'Switchyard demo: a simulated multi-cloud fleet on 127.0.0.1, the balancer in front, a gentle read load.',
    `  RPC        ${base}/${DEMO_CHAIN}   (also POST ${base}/)`,
    `  dashboard  ${base}/dashboard   (fault controls: hang, refuse, 429 or slow a region or provider, then heal)`,
    `  status     ${base}/status`,
    `  metrics    ${base}/metrics`,
    `  faults     GET ${base}/demo/faults · POST ${base}/demo/fault {"target":"region:aws/us-east-1","fault":"hang"}`,
    `Fleet (chain id ${DEMO_CHAIN_ID}, a block every ${DEMO_BLOCK_TIME_MS / 1000} s; caps: cloud ${DEMO_MAX_SHARE.cloud}, provider ${DEMO_MAX_SHARE.provider}):`,
    ...rows,
    `Try: curl -s ${base}/${DEMO_CHAIN} -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}'`,
    `Load: ${LOAD.ratePerSecond} reads/s for up to ${LOAD.maxMs / 60_000} min. Ctrl-C stops everything.`,
    '',
  ].join('\n');
}

/** One line per period: reads answered and failed, and the failure domains not closed. */
function report(server: SwitchyardServer, load: DemoLoad): string {
  const { ok, failed } = load.takeTally();
  const nowMs = Date.now();
  const notClosed = [...server.runtime.defaultChain.domains.values()]
    .map((d) => [d.key, d.stateAt(nowMs)] as const)
    .filter(([, state]) => state !== 'closed')
    .map(([key, state]) => `${key} ${state}`);
  const domains = notClosed.length ? `domains: ${notClosed.join(', ')}` : 'every failure domain closed';
  const loadState = load.running ? '' : ' (load finished)';
  return `demo: last ${REPORT_EVERY_MS / 1000} s: ${ok} reads answered, ${failed} failed${loadState} · ${domains}\n`;
}

export async function runDemo(argv: string[]): Promise<number> {
  let port: number;
  try {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string', short: 'p' } } });
    port = values.port === undefined ? 8545 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0..65535`);
  } catch (err) {
    console.error(`switchyard demo: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const fleet = await startFleet({
    chainId: DEMO_CHAIN_ID,
    blockTimeMs: DEMO_BLOCK_TIME_MS,
    providers: demoFleet(),
  });
  const config = demoConfig(fleet, port);
  const logger = createLogger(config.logging.level);
  const ops = createOperations();
  const controls = new FaultControls(fleet);
  const routes = [
    faultControlRoute(controls),
    dashboardRouteWith(DEMO_CONTROLS),
    ...(ops.options.routes ?? []),
  ];
  const server = new SwitchyardServer(config, logger, { ...ops.options, routes });
  ops.attach(server);
  let address: Awaited<ReturnType<SwitchyardServer['listen']>>;
  try {
    address = await server.listen();
  } catch (err) {
    console.error(
      `switchyard demo: cannot listen on 127.0.0.1:${port}: ${(err as Error).message} (try --port 0)`,
    );
    await server.shutdown(0);
    await fleet.close();
    return 1;
  }
  const base = `http://127.0.0.1:${address.port}`;
  const load = new DemoLoad(base, LOAD);
  process.stdout.write(banner(base, fleet));
  const reporter = setInterval(() => process.stdout.write(report(server, load)), REPORT_EVERY_MS);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stdout.write(`demo: ${signal} again, exiting now\n`);
        resolve(1);
        return;
      }
      stopping = true;
      process.stdout.write(`demo: ${signal}: stopping the load, the balancer and the fleet\n`);
      clearInterval(reporter);
      void (async () => {
        await load.stop();
        await server.shutdown(config.server.shutdownGraceMs);
        await fleet.close();
        process.stdout.write('demo: stopped\n');
        resolve(0);
      })();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
