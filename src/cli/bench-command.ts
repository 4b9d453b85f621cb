// `switchyard bench ...` subcommands.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { benchProviders, formatProviderTable } from './rank-providers.js';
import { compareShadows, formatShadowTable } from './shadow-compare.js';

const USAGE = `Usage: switchyard bench providers --config FILE [--requests N] [--seconds S] [--json]

Measures every upstream of every chain in FILE directly (no balancer in between) and prints a ranked
table grouped by failure domain: latency p50/p90/p99, error and throttle (429) rates, head lag
against the best head of the chain, and the chain id each upstream reports.
  --requests N   requests per upstream (default 50)
  --seconds S    time budget per upstream (default 10); upstreams are measured in parallel
  --json         print JSON instead of the table
The full benchmark harness (outage scenarios, peers, overhead) is \`npm run bench -- --help\`.`;

function positiveNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} expects a positive number`);
  return n;
}

export async function runBenchCommand(argv: string[]): Promise<number> {
  const sub = argv[0];
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(USAGE);
    return sub === undefined ? 1 : 0;
  }
  if (sub !== 'providers') {
    console.error(
      `switchyard bench: unknown subcommand "${sub}" (try: switchyard bench providers --config FILE)`,
    );
    return 1;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv.slice(1),
      options: {
        config: { type: 'string', short: 'c' },
        requests: { type: 'string' },
        seconds: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`switchyard bench providers: ${(err as Error).message}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (typeof values.config !== 'string') {
    console.error('switchyard bench providers: --config FILE is required');
    return 1;
  }
  let requests: number;
  let seconds: number;
  try {
    requests = Math.floor(positiveNumber(values.requests, 'requests', 50));
    seconds = positiveNumber(values.seconds, 'seconds', 10);
  } catch (err) {
    console.error(`switchyard bench providers: ${(err as Error).message}`);
    return 1;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`config error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const total = config.chains.reduce((n, c) => n + c.upstreams.length, 0);
  const tty = process.stderr.isTTY === true;
  let done = 0;
  if (tty) process.stderr.write(`measuring ${total} upstream(s)…`);
  const results = await benchProviders(config, { requests, seconds }, () => {
    done++;
    if (tty) process.stderr.write(`\r\x1b[2Kmeasuring ${total} upstream(s)… ${done}/${total}`);
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  // Shadow upstreams are ranked like the others, then compared with the best serving one.
  const shadows = await compareShadows(
    config,
    results,
    Math.max(1, Math.min(20, Math.floor(requests / 5))),
    5000,
  );
  const shadowTable = formatShadowTable(shadows);
  console.log(
    values.json
      ? JSON.stringify(shadows.length ? { chains: results, shadows } : results, null, 2)
      : `${formatProviderTable(results, { requests, seconds })}${shadowTable ? `\n\n${shadowTable}` : ''}`,
  );
  return 0;
}
