// Config: schema defaults, ${ENV} interpolation, validation messages that name file + key path and never
// echo a URL (it may hold an API key), deep freeze, and the shipped example file.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the syntax under test
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig, type Config, ConfigError, loadConfig } from '../../src/config/config.js';
import { Node, parseDuration, parseSize } from '../../src/config/config-values.js';
import { interpolateEnv } from '../../src/config/env-interpolation.js';

const FILE = 'test.yaml';
const EXAMPLE = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));

const MINIMAL_YAML = `server: { host: 127.0.0.1, port: 8545 }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: a, url: "https://eth.example/v2/\${KEY}", cloud: aws, region: us-east-1, provider: alchemy }
`;

type Raw = Record<string, unknown>;

function upstream(name: string, extra: Raw = {}): Raw {
  return {
    name,
    url: `https://${name}.example/v2/key`,
    cloud: 'aws',
    region: 'us-east-1',
    provider: 'alchemy',
    ...extra,
  };
}

/** The README's minimal config as a plain object (already interpolated). */
function minimal(extra: Raw = {}, upstreams: Raw[] = [upstream('a')]): Raw {
  return {
    server: { host: '127.0.0.1', port: 8545 },
    chains: [{ name: 'ethereum', chainId: 1, upstreams }],
    ...extra,
  };
}

/** Runs fn and returns the ConfigError it throws (fails the test when it does not throw one). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function buildError(raw: unknown): ConfigError {
  return configError(() => buildConfig(raw, FILE));
}

const tempDir = mkdtempSync(join(tmpdir(), 'switchyard-config-test-'));
let fileCounter = 0;
function tempFile(text: string): string {
  const file = join(tempDir, `config-${fileCounter++}.yaml`);
  writeFileSync(file, text);
  return file;
}
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe('defaults', () => {
  it('fills every default for the minimal config', () => {
    const file = tempFile(MINIMAL_YAML);
    const config = loadConfig(file, { KEY: 'k-123456' });
    const expected: Config = {
      file,
      server: {
        host: '127.0.0.1',
        port: 8545,
        maxBodyBytes: 5 * 1024 * 1024,
        maxBatchSize: 100,
        upstreamHeader: true,
        requestTimeoutMs: 10_000,
        shutdownGraceMs: 10_000,
        corsOrigins: [],
        workers: 1,
        opsListen: undefined,
      },
      logging: { level: 'info' },
      security: {
        apiKeys: [],
        denyMethods: ['admin_*', 'debug_*', 'personal_*', 'miner_*', 'clique_*', 'txpool_*', 'engine_*'],
        adminKeys: [],
      },
      routing: {
        maxAttempts: 4,
        tryTimeoutMs: 3000,
        connectTimeoutMs: 1000,
        hedge: { enabled: true, minDelayMs: 15, maxDelayMs: 250, quantile: 0.95 },
        retryBudget: { ratio: 0.2, minPerSecond: 20 },
        sendTransactionDomains: 2,
        slowStartMs: 1000,
        inFlightScale: 16,
        maxShare: { cloud: undefined, provider: undefined },
        maxInFlight: 10_000,
        upstreamQueue: 64,
        maxQueueWaitMs: 2000,
        autoTune: true,
        shadowRate: 0.1,
      },
      breakers: {
        upstream: {
          errorThresholdPercentage: 50,
          volumeThreshold: 4,
          windowMs: 2000,
          resetTimeoutMs: 500,
          stallAfterMs: 0,
        },
        domain: { minFailingUpstreams: 2, windowMs: 1000, backoffMs: 300, maxBackoffMs: 800 },
      },
      health: {
        intervalMs: 2000,
        busyIntervalMs: 5000,
        downIntervalMs: 250,
        watchIntervalMs: 500,
        suspectIntervalMs: 100,
        minProbeTimeoutMs: 30,
        timeoutMs: 1500,
        rise: 2,
        fall: 2,
        maxBlockLag: 5,
        checkSyncing: false,
      },
      cache: { enabled: true, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 },
      subscriptions: {
        maxConnections: 10_000,
        maxPerConnection: 100,
        sendBufferBytes: 4 * 1024 * 1024,
        pingIntervalMs: 30_000,
        pollIntervalMs: 1000,
        reorgDepth: 64,
        maxBackfill: 1000,
        silentAfterMs: 3000,
        solanaLogsBackfill: 150,
      },
      fleet: undefined,
      tracing: undefined,
      chains: [
        {
          name: 'ethereum',
          family: 'evm',
          chainId: 1,
          identity: '1',
          upstreams: [
            {
              name: 'a',
              url: 'https://eth.example/v2/k-123456',
              ws: undefined,
              cloud: 'aws',
              region: 'us-east-1',
              provider: 'alchemy',
              network: undefined,
              priority: 0,
              maxConnections: 64,
              headers: {},
              archive: undefined,
              rateLimit: undefined,
              shadow: false,
            },
          ],
        },
      ],
      providers: {},
      stateFile: file.replace(/\.yaml$/, '.state.json'),
      secrets: ['k-123456'],
    };
    expect(config).toStrictEqual(expected);
  });

  it('defaults the server section and upstream labels when absent', () => {
    const config = buildConfig(
      { chains: [{ name: 'eth', chainId: 1, upstreams: [{ name: 'x', url: 'http://x' }] }] },
      FILE,
    );
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(8545);
    expect(config.chains[0]!.upstreams[0]).toMatchObject({
      cloud: 'unknown',
      region: 'unknown',
      provider: 'unknown',
    });
    expect(config.secrets).toEqual([]);
  });

  it('treats null sections (a YAML key with no value) as absent', () => {
    const config = buildConfig(minimal({ routing: null, cache: null }), FILE);
    expect(config.routing.maxAttempts).toBe(4);
    expect(config.cache.enabled).toBe(true);
  });

  it('uses explicit values over defaults', () => {
    const config = buildConfig(
      minimal(
        {
          server: { host: '0.0.0.0', port: 0, upstreamHeader: false, corsOrigins: ['https://app.example'] },
          logging: { level: 'debug' },
          routing: { maxAttempts: 2, hedge: { enabled: false, quantile: 0.99 }, retryBudget: { ratio: 0.5 } },
          security: { apiKeys: [{ name: 'team', key: 'k1', ratePerSecond: 50 }], denyMethods: [] },
        },
        [
          upstream('a', {
            network: 'lava',
            priority: 2,
            maxConnections: 8,
            archive: true,
            headers: { 'X-Api-Key': 'v' },
          }),
        ],
      ),
      FILE,
    );
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 0, upstreamHeader: false });
    expect(config.server.corsOrigins).toEqual(['https://app.example']);
    expect(config.logging.level).toBe('debug');
    expect(config.routing.maxAttempts).toBe(2);
    expect(config.routing.hedge).toEqual({ enabled: false, minDelayMs: 15, maxDelayMs: 250, quantile: 0.99 });
    expect(config.routing.retryBudget).toEqual({ ratio: 0.5, minPerSecond: 20 });
    expect(config.security.apiKeys).toEqual([{ name: 'team', key: 'k1', ratePerSecond: 50, burst: 50 }]);
    expect(config.security.denyMethods).toEqual([]);
    const u = config.chains[0]!.upstreams[0]!;
    expect(u).toMatchObject({ network: 'lava', priority: 2, maxConnections: 8, archive: true });
    // header names are lower-cased, values kept
    expect(u.headers).toEqual({ 'x-api-key': 'v' });
  });

  it('gives an api key without a rate a burst of 1', () => {
    const config = buildConfig(minimal({ security: { apiKeys: [{ name: 'n', key: 'k' }] } }), FILE);
    expect(config.security.apiKeys[0]).toEqual({ name: 'n', key: 'k', ratePerSecond: 0, burst: 1 });
  });

  it('reads archive: false as false, not as unknown', () => {
    const config = buildConfig(minimal({}, [upstream('a', { archive: false })]), FILE);
    expect(config.chains[0]!.upstreams[0]!.archive).toBe(false);
  });
});

describe('environment interpolation', () => {
  it('substitutes ${VAR} and returns the value as a secret', () => {
    const config = loadConfig(tempFile(MINIMAL_YAML), { KEY: 'sk_live_abc' });
    expect(config.chains[0]!.upstreams[0]!.url).toBe('https://eth.example/v2/sk_live_abc');
    expect(config.secrets).toEqual(['sk_live_abc']);
  });

  it('uses the ${VAR:-default} fallback when the variable is unset or empty, and does not call it a secret', () => {
    const yaml = MINIMAL_YAML.replace('${KEY}', '${KEY:-demo-key}');
    for (const env of [{}, { KEY: '' }]) {
      const config = loadConfig(tempFile(yaml), env);
      expect(config.chains[0]!.upstreams[0]!.url).toBe('https://eth.example/v2/demo-key');
      expect(config.secrets).toEqual([]);
    }
    const set = loadConfig(tempFile(yaml), { KEY: 'real-key' });
    expect(set.chains[0]!.upstreams[0]!.url).toBe('https://eth.example/v2/real-key');
    expect(set.secrets).toEqual(['real-key']);
  });

  it('allows an empty fallback', () => {
    const { value } = interpolateEnv({ a: 'x${NOPE:-}y' }, FILE, {});
    expect(value).toEqual({ a: 'xy' });
  });

  it('names the file, the key path and the variable when a variable is missing', () => {
    const file = tempFile(MINIMAL_YAML);
    const err = configError(() => loadConfig(file, { OTHER: 'x' }));
    expect(err.file).toBe(file);
    expect(err.keyPath).toBe('chains[0].upstreams[0].url');
    expect(err.message).toBe(`${file}: chains[0].upstreams[0].url: environment variable KEY is not set`);
  });

  it('treats an empty variable without fallback as missing', () => {
    const err = configError(() => loadConfig(tempFile(MINIMAL_YAML), { KEY: '' }));
    expect(err.message).toContain('environment variable KEY is not set');
  });

  it('substitutes several variables anywhere in nested lists and maps, leaving non-strings alone', () => {
    const raw = { a: [{ b: '${A}-${B}' }, 5, true, null], c: { d: 'plain $A {A} $${B}' } };
    const { value, secrets } = interpolateEnv(raw, FILE, { A: 'alpha', B: 'beta1' });
    expect(value).toEqual({ a: [{ b: 'alpha-beta1' }, 5, true, null], c: { d: 'plain $A {A} $beta1' } });
    expect(secrets.sort()).toEqual(['alpha', 'beta1']);
    // the input is not modified
    expect(raw.a[0]).toEqual({ b: '${A}-${B}' });
  });

  it('names the nested path of a missing variable inside lists', () => {
    const err = configError(() => interpolateEnv({ a: [{ b: 'x' }, { b: '${MISSING_1}' }] }, FILE, {}));
    expect(err.keyPath).toBe('a[1].b');
    expect(err.message).toContain('MISSING_1');
  });

  it('names the root when the whole document is one string', () => {
    expect(configError(() => interpolateEnv('${NOPE}', FILE, {})).keyPath).toBe('(root)');
  });

  it('lists each secret once and skips values too short to scrub', () => {
    const { secrets } = interpolateEnv({ a: '${K}', b: '${K}', c: '${S}' }, FILE, { K: 'secret', S: 'abc' });
    expect(secrets).toEqual(['secret']);
  });

  it('does not treat malformed patterns as variables', () => {
    const { value } = interpolateEnv({ a: '${1X} ${} ${A-B}' }, FILE, {});
    expect(value).toEqual({ a: '${1X} ${} ${A-B}' });
  });
});

describe('validation messages', () => {
  it('rejects a non-http(s) URL naming the key path without echoing the URL', () => {
    const bad = [
      'ftp://eth.example/v2/sekrit-key-777',
      'eth.example/v2/sekrit-key-777',
      'https//sekrit-key-777',
    ];
    for (const url of bad) {
      const raw = minimal({}, [upstream('a'), upstream('b'), upstream('c', { url })]);
      const err = buildError(raw);
      expect(err.message).toBe(`${FILE}: chains[0].upstreams[2].url: expected http(s) URL`);
      expect(err.message).not.toContain('sekrit');
      expect(err.keyPath).toBe('chains[0].upstreams[2].url');
      expect(err.expected).toBe('expected http(s) URL');
    }
  });

  it('rejects a ws key that is not a ws(s) URL, naming the key path without echoing it', () => {
    for (const ws of ['https://eth.example/ws/sekrit-key-777', 'eth.example/sekrit-key-777']) {
      const err = buildError(minimal({}, [upstream('a', { ws })]));
      expect(err.message).toBe(`${FILE}: chains[0].upstreams[0].ws: expected ws(s) URL`);
      expect(err.message).not.toContain('sekrit');
    }
    const ok = buildConfig(minimal({}, [upstream('a', { ws: 'wss://eth.example/ws/k' })]), FILE);
    expect(ok.chains[0]!.upstreams[0]!.ws).toBe('wss://eth.example/ws/k');
  });

  it('reads each family with its identity key, and names the key that is wrong or missing', () => {
    const chain = (extra: Raw) => ({ chains: [{ name: 'c', upstreams: [upstream('a')], ...extra }] });
    const sol = buildConfig(
      chain({ family: 'solana', genesisHash: '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d' }),
      FILE,
    );
    expect(sol.chains[0]).toMatchObject({
      family: 'solana',
      chainId: undefined,
      identity: '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d',
    });
    const btc = buildConfig(
      chain({ family: 'bitcoin', genesisHash: `000000000019D6689C${'0'.repeat(46)}` }),
      FILE,
    );
    expect(btc.chains[0]!.identity).toBe(`000000000019d6689c${'0'.repeat(46)}`);
    expect(buildConfig(chain({ family: 'cometbft', network: 'cosmoshub-4' }), FILE).chains[0]!.identity).toBe(
      'cosmoshub-4',
    );
    expect(buildError(chain({ family: 'solana' })).message).toBe(
      `${FILE}: chains[0].genesisHash: required: expected a string`,
    );
    expect(buildError(chain({ family: 'bitcoin', genesisHash: 'xyz' })).keyPath).toBe(
      'chains[0].genesisHash',
    );
    expect(buildError(chain({ family: 'cometbft', network: 'n', chainId: 1 })).message).toBe(
      `${FILE}: chains[0].chainId: not used by family cometbft (it uses network)`,
    );
    expect(buildError(chain({ family: 'tron', chainId: 1 })).keyPath).toBe('chains[0].family');
  });

  it('names the subscriptions key that is out of range', () => {
    const err = buildError(minimal({ subscriptions: { reorgDepth: 0 } }));
    expect(err.keyPath).toBe('subscriptions.reorgDepth');
  });

  it('does not echo a secret that failed to interpolate into a valid URL', () => {
    const file = tempFile(MINIMAL_YAML.replace('https://eth.example/v2/${KEY}', '${KEY}'));
    const err = configError(() => loadConfig(file, { KEY: 'not-a-url-sekrit' }));
    expect(err.message).toBe(`${file}: chains[0].upstreams[0].url: expected http(s) URL`);
  });

  it('requires the URL', () => {
    const err = buildError(minimal({}, [{ name: 'a' }]));
    expect(err.message).toBe(`${FILE}: chains[0].upstreams[0].url: required: expected a string`);
  });

  it('rejects unknown keys at the root, listing the allowed keys', () => {
    const err = buildError(minimal({ servers: {} }));
    expect(err.keyPath).toBe('servers');
    expect(err.message).toBe(
      `${FILE}: servers: unknown key (allowed: server, logging, security, routing, breakers, health, cache, subscriptions, fleet, chains, providers, stateFile, tracing)`,
    );
  });

  it('rejects unknown nested keys with their full path', () => {
    const err = buildError(minimal({ routing: { hedge: { delay: '10ms' } } }));
    expect(err.keyPath).toBe('routing.hedge.delay');
    expect(err.message).toContain('allowed: enabled, minDelay, maxDelay, quantile');
    const err2 = buildError(minimal({ server: { host: 'h', hostname: 'h' } }));
    expect(err2.keyPath).toBe('server.hostname');
    // Durations are spelled without the unit suffix in the YAML
    expect(buildError(minimal({ routing: { tryTimeoutMs: 100 } })).keyPath).toBe('routing.tryTimeoutMs');
  });

  it('rejects unknown keys in a chain and in an upstream', () => {
    const chainErr = buildError({
      chains: [{ name: 'eth', chainId: 1, upstreams: [upstream('a')], rpc: 'x' }],
    });
    expect(chainErr.keyPath).toBe('chains[0].rpc');
    expect(chainErr.message).toContain('allowed: name, family, chainId, genesisHash, network, upstreams');
    const upErr = buildError(minimal({}, [upstream('a'), upstream('b', { weight: 3 })]));
    expect(upErr.keyPath).toBe('chains[0].upstreams[1].weight');
    expect(upErr.message).toContain(
      'allowed: name, url, ws, cloud, region, provider, network, priority, maxConnections, headers, archive',
    );
  });

  it('rejects a mapping where a mapping is expected to be, and a list where a list is expected', () => {
    expect(buildError(minimal({ server: 'localhost' })).message).toBe(`${FILE}: server: expected a mapping`);
    expect(buildError(minimal({ server: [1] })).message).toBe(`${FILE}: server: expected a mapping`);
    expect(buildError({ chains: { name: 'eth' } }).message).toBe(`${FILE}: chains: expected a list`);
    expect(buildError({ chains: ['ethereum'] }).keyPath).toBe('chains[0]');
    expect(buildError(minimal({ security: { denyMethods: 'debug_*' } })).keyPath).toBe(
      'security.denyMethods',
    );
    expect(buildError(minimal({ security: { denyMethods: ['ok', 5] } })).keyPath).toBe(
      'security.denyMethods[1]',
    );
  });

  it('rejects a non-mapping root', () => {
    expect(buildError([1, 2]).expected).toBe('expected a mapping');
    expect(buildError('chains').expected).toBe('expected a mapping');
  });

  it('rejects numbers out of range or not integers, naming the range', () => {
    expect(buildError(minimal({ server: { port: 70000 } })).message).toBe(
      `${FILE}: server.port: expected an integer from 0 to 65535`,
    );
    expect(buildError(minimal({ server: { port: 'eighty' } })).keyPath).toBe('server.port');
    // Numeric text is what ${VAR} substitution yields, so it reads as the number.
    expect(buildConfig(minimal({ server: { port: '8545' } }), FILE).server.port).toBe(8545);
    expect(buildError(minimal({ routing: { maxAttempts: 1.5 } })).keyPath).toBe('routing.maxAttempts');
    expect(buildError(minimal({ routing: { maxAttempts: 0 } })).keyPath).toBe('routing.maxAttempts');
    expect(buildError(minimal({ routing: { hedge: { quantile: 1 } } })).message).toBe(
      `${FILE}: routing.hedge.quantile: expected a number from 0.5 to 0.999`,
    );
    expect(buildError(minimal({ cache: { maxEntries: Number.POSITIVE_INFINITY } })).keyPath).toBe(
      'cache.maxEntries',
    );
    expect(buildError(minimal({}, [upstream('a', { priority: -1 })])).keyPath).toBe(
      'chains[0].upstreams[0].priority',
    );
  });

  it('rejects booleans, strings and enums of the wrong type', () => {
    expect(buildError(minimal({ server: { upstreamHeader: 'yes' } })).message).toBe(
      `${FILE}: server.upstreamHeader: expected true or false`,
    );
    expect(buildError(minimal({ logging: { level: 'verbose' } })).message).toBe(
      `${FILE}: logging.level: expected one of debug, info, warn, error`,
    );
    expect(buildError(minimal({ server: { host: '' } })).message).toBe(
      `${FILE}: server.host: expected a non-empty string`,
    );
    expect(buildError(minimal({}, [upstream('a', { cloud: 5 })])).keyPath).toBe(
      'chains[0].upstreams[0].cloud',
    );
  });

  it('rejects headers that are not a mapping of strings', () => {
    expect(buildError(minimal({}, [upstream('a', { headers: ['x'] })])).keyPath).toBe(
      'chains[0].upstreams[0].headers',
    );
    expect(buildError(minimal({}, [upstream('a', { headers: 'x' })])).keyPath).toBe(
      'chains[0].upstreams[0].headers',
    );
    const err = buildError(minimal({}, [upstream('a', { headers: { Authorization: 42 } })]));
    expect(err.keyPath).toBe('chains[0].upstreams[0].headers.Authorization');
  });

  it('requires breakers.domain.maxBackoff to be at least backoff', () => {
    const err = buildError(minimal({ breakers: { domain: { backoff: '1s', maxBackoff: '500ms' } } }));
    expect(err.message).toBe(
      `${FILE}: breakers.domain.maxBackoff: expected at least breakers.domain.backoff`,
    );
    const ok = buildConfig(minimal({ breakers: { domain: { backoff: '1s', maxBackoff: '1s' } } }), FILE);
    expect(ok.breakers.domain).toMatchObject({ backoffMs: 1000, maxBackoffMs: 1000 });
  });
});

describe('durations and sizes', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    [' 2 S ', 2000],
    ['0ms', 0],
    [1500, 1500],
    [0, 0],
  ])('parseDuration(%j) = %d', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['2 seconds'],
    ['-1s'],
    ['fast'],
    ['5'],
    ['1d'],
    ['s'],
    ['1e3ms'],
    [''],
    [-5],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [null],
    [[100]],
  ])('parseDuration(%j) is undefined', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it.each([
    ['5mb', 5 * 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1gb', 1024 ** 3],
    ['10b', 10],
    ['5MB', 5 * 1024 * 1024],
    ['1.5kb', 1536],
    [2048, 2048],
  ])('parseSize(%j) = %d', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([['5 megabytes'], ['5m'], ['5'], ['mb'], ['-1kb'], [false]])(
    'parseSize(%j) is undefined',
    (input) => {
      expect(parseSize(input)).toBeUndefined();
    },
  );

  it('reads durations into milliseconds in the config', () => {
    const config = buildConfig(
      minimal({
        server: { requestTimeout: '1m', shutdownGrace: 2500 },
        routing: { tryTimeout: '250ms', connectTimeout: '2s' },
        breakers: { domain: { window: '2s', backoff: '1s', maxBackoff: '1m' } },
      }),
      FILE,
    );
    expect(config.server.requestTimeoutMs).toBe(60_000);
    expect(config.server.shutdownGraceMs).toBe(2500);
    expect(config.routing.tryTimeoutMs).toBe(250);
    expect(config.routing.connectTimeoutMs).toBe(2000);
    expect(config.breakers.domain).toEqual({
      minFailingUpstreams: 2,
      windowMs: 2000,
      backoffMs: 1000,
      maxBackoffMs: 60_000,
    });
  });

  it('rejects bad durations and durations out of range, naming the key path', () => {
    const err = buildError(minimal({ routing: { tryTimeout: 'soon' } }));
    expect(err.message).toBe(
      `${FILE}: routing.tryTimeout: expected a duration like "250ms" or "2s" from 10ms to 86400000ms`,
    );
    expect(buildError(minimal({ routing: { tryTimeout: '5ms' } })).keyPath).toBe('routing.tryTimeout');
    expect(buildError(minimal({ health: { interval: '25h' } })).keyPath).toBe('health.interval');
    expect(buildError(minimal({ server: { requestTimeout: '10' } })).keyPath).toBe('server.requestTimeout');
  });

  it('reads sizes into bytes and rejects bad ones', () => {
    const config = buildConfig(
      minimal({ server: { maxBodyBytes: '512kb' }, cache: { maxBytes: '1gb' } }),
      FILE,
    );
    expect(config.server.maxBodyBytes).toBe(524_288);
    expect(config.cache.maxBytes).toBe(1024 ** 3);
    const err = buildError(minimal({ server: { maxBodyBytes: '5 megabytes' } }));
    expect(err.message).toBe(
      `${FILE}: server.maxBodyBytes: expected a size like "512kb" or "5mb" (at least 1)`,
    );
    expect(buildError(minimal({ server: { maxBodyBytes: 0 } })).keyPath).toBe('server.maxBodyBytes');
  });
});

describe('chains and upstreams', () => {
  it('requires at least one chain', () => {
    for (const raw of [{}, { chains: [] }, { chains: null }, minimal({ chains: undefined })]) {
      expect(buildError(raw).message).toBe(`${FILE}: chains: required: expected at least one chain`);
    }
  });

  it('requires at least one upstream per chain', () => {
    for (const upstreams of [[], null, undefined]) {
      const err = buildError({ chains: [{ name: 'eth', chainId: 1, upstreams }] });
      expect(err.message).toBe(`${FILE}: chains[0].upstreams: expected at least one upstream`);
    }
  });

  it('requires a chain id of at least 1', () => {
    expect(buildError({ chains: [{ name: 'eth', upstreams: [upstream('a')] }] }).message).toBe(
      `${FILE}: chains[0].chainId: required: expected a number`,
    );
    expect(buildError({ chains: [{ name: 'eth', chainId: 0, upstreams: [upstream('a')] }] }).keyPath).toBe(
      'chains[0].chainId',
    );
  });

  it('rejects duplicate chain names', () => {
    const chain = { name: 'ethereum', chainId: 1, upstreams: [upstream('a')] };
    const err = buildError({ chains: [chain, { ...chain, upstreams: [upstream('b')] }] });
    expect(err.message).toBe(`${FILE}: chains[1].name: duplicate chain name "ethereum"`);
  });

  it('rejects duplicate upstream names inside a chain and across chains', () => {
    const within = buildError(minimal({}, [upstream('a'), upstream('b'), upstream('a')]));
    expect(within.message).toBe(`${FILE}: chains[0].upstreams[2].name: duplicate upstream name "a"`);
    const across = buildError({
      chains: [
        { name: 'ethereum', chainId: 1, upstreams: [upstream('a')] },
        { name: 'base', chainId: 8453, upstreams: [upstream('b'), upstream('a')] },
      ],
    });
    expect(across.keyPath).toBe('chains[1].upstreams[1].name');
  });

  it('accepts several chains with distinct names', () => {
    const config = buildConfig(
      {
        chains: [
          { name: 'ethereum', chainId: 1, upstreams: [upstream('a')] },
          { name: 'base_mainnet-2', chainId: 8453, upstreams: [upstream('b'), upstream('c')] },
        ],
      },
      FILE,
    );
    expect(config.chains.map((c) => [c.name, c.chainId, c.upstreams.length])).toEqual([
      ['ethereum', 1, 1],
      ['base_mainnet-2', 8453, 2],
    ]);
  });

  it.each(['status', 'metrics', 'healthz', 'readyz', 'dashboard'])(
    'rejects the reserved chain name %s',
    (name) => {
      const err = buildError({ chains: [{ name, chainId: 1, upstreams: [upstream('a')] }] });
      expect(err.message).toBe(`${FILE}: chains[0].name: "${name}" is a reserved path`);
    },
  );

  it.each(['eth/main', 'eth main', '-eth', '_eth', 'éth', 'eth.main', 'eth?x=1'])(
    'rejects the chain name %j',
    (name) => {
      const err = buildError({ chains: [{ name, chainId: 1, upstreams: [upstream('a')] }] });
      expect(err.keyPath).toBe('chains[0].name');
      expect(err.expected).toBe('expected letters, digits, "-" or "_" (it is a URL path)');
    },
  );

  it('requires a chain name and an upstream name', () => {
    expect(buildError({ chains: [{ chainId: 1, upstreams: [upstream('a')] }] }).keyPath).toBe(
      'chains[0].name',
    );
    const noName = { url: 'https://x.example', cloud: 'aws' };
    expect(buildError(minimal({}, [noName])).message).toBe(
      `${FILE}: chains[0].upstreams[0].name: required: expected a string`,
    );
  });
});

describe('loading files', () => {
  it('reports invalid YAML with the file and a one-line reason', () => {
    const file = tempFile('server:\n  host: x\n   port: [1\n');
    const err = configError(() => loadConfig(file, {}));
    expect(err.keyPath).toBe('(yaml)');
    expect(err.message.startsWith(`${file}: (yaml): not valid YAML: `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('reports duplicate YAML keys as invalid YAML', () => {
    const file = tempFile(`${MINIMAL_YAML}server: { port: 1 }\n`);
    expect(configError(() => loadConfig(file, { KEY: 'abcd' })).keyPath).toBe('(yaml)');
  });

  it('reports an unreadable file with its error code', () => {
    const missing = join(tempDir, 'does-not-exist.yaml');
    const err = configError(() => loadConfig(missing, {}));
    expect(err.message).toBe(`${missing}: (file): cannot read: ENOENT`);
    const dirErr = configError(() => loadConfig(tempDir, {}));
    expect(dirErr.message).toBe(`${tempDir}: (file): cannot read: EISDIR`);
  });

  it('reports an empty file as missing chains', () => {
    const file = tempFile('');
    expect(configError(() => loadConfig(file, {})).message).toBe(
      `${file}: chains: required: expected at least one chain`,
    );
  });

  it('validates after interpolation, naming the file', () => {
    const file = tempFile(MINIMAL_YAML.replace('port: 8545', 'port: 99999'));
    expect(configError(() => loadConfig(file, { KEY: 'abcd' })).message).toBe(
      `${file}: server.port: expected an integer from 0 to 65535`,
    );
  });

  it('loads config.example.yaml at the repo root with an empty environment', () => {
    const config = loadConfig(EXAMPLE, {});
    expect(config.file).toBe(EXAMPLE);
    expect(config.chains.length).toBeGreaterThan(0);
    for (const chain of config.chains) {
      expect(chain.upstreams.length).toBeGreaterThan(0);
      for (const u of chain.upstreams) expect(u.url).toMatch(/^https?:\/\//);
    }
  });

  it('shows the defaults in config.example.yaml, as its header promises', () => {
    const example = loadConfig(EXAMPLE, {});
    const defaults = buildConfig({ chains: example.chains.map(({ identity: _derived, ...c }) => c) }, FILE);
    // The one exception the header names: the example keeps the operator routes off the RPC port.
    expect(example.server.opsListen).toEqual({ host: '127.0.0.1', port: 9545 });
    expect({ ...example.server, opsListen: undefined }).toEqual(defaults.server);
    expect(example.logging).toEqual(defaults.logging);
  });
});

describe('freezing', () => {
  it('deep-freezes the result', () => {
    const config = buildConfig(
      minimal({ security: { apiKeys: [{ name: 'n', key: 'k' }] } }, [
        upstream('a', { headers: { 'x-k': 'v' } }),
      ]),
      FILE,
      ['secret-1'],
    );
    const parts: unknown[] = [
      config,
      config.server,
      config.server.corsOrigins,
      config.logging,
      config.security,
      config.security.apiKeys,
      config.security.apiKeys[0],
      config.security.denyMethods,
      config.routing,
      config.routing.hedge,
      config.routing.retryBudget,
      config.breakers.upstream,
      config.breakers.domain,
      config.health,
      config.cache,
      config.chains,
      config.chains[0],
      config.chains[0]!.upstreams,
      config.chains[0]!.upstreams[0],
      config.chains[0]!.upstreams[0]!.headers,
      config.secrets,
    ];
    for (const part of parts) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => (config.chains as unknown[]).push({})).toThrow(TypeError);
    expect(config.server.port).toBe(8545);
  });

  it('does not share default lists between configs', () => {
    const a = buildConfig(minimal(), FILE);
    const b = buildConfig(minimal({ security: { denyMethods: ['x_*'] } }), FILE);
    expect(a.security.denyMethods).toContain('debug_*');
    expect(b.security.denyMethods).toEqual(['x_*']);
  });
});

describe('Node readers', () => {
  it('builds key paths for nested objects and lists', () => {
    const node = new Node('f.yaml', '', { a: [{ b: 1 }] });
    const leaf = node.child('a').child(0).child('b');
    expect(leaf.path).toBe('a[0].b');
    expect(leaf.value).toBe(1);
    expect(() => leaf.fail('expected x')).toThrow('f.yaml: a[0].b: expected x');
  });

  it('treats null and undefined as missing', () => {
    expect(new Node('f', 'k', null).missing).toBe(true);
    expect(new Node('f', 'k', undefined).missing).toBe(true);
    expect(new Node('f', 'k', 0).missing).toBe(false);
    expect(new Node('f', 'k', '').missing).toBe(false);
  });

  it('optionalString returns undefined when missing and validates when present', () => {
    expect(new Node('f', 'k', undefined).optionalString()).toBeUndefined();
    expect(new Node('f', 'k', 'v').optionalString()).toBe('v');
    expect(() => new Node('f', 'k', 3).optionalString()).toThrow(ConfigError);
  });
});

describe('whole-value substitutions keep their YAML type', () => {
  it('reads port: ${PORT} as a number and an all-digit key as text', () => {
    const raw = {
      server: { port: '${PORT}' },
      security: { apiKeys: [{ name: 'k', key: '${KEY}' }] },
      chains: [{ name: 'c', chainId: 1, upstreams: [{ name: 'a', url: 'http://127.0.0.1:1/' }] }],
    };
    const { value } = interpolateEnv(raw, 'f.yaml', { PORT: '9000', KEY: '123456' });
    const config = buildConfig(value, 'f.yaml');
    expect(config.server.port).toBe(9000);
    expect(config.security.apiKeys[0]!.key).toBe('123456');
  });
});
