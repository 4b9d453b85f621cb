// The keys of issue 24's operator parts: `tracing` (OpenTelemetry export) and `server.opsListen`.
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/config.js';

const FILE = 'ops.yaml';
const chains = [
  {
    name: 'ethereum',
    chainId: 1,
    upstreams: [{ name: 'a', url: 'https://a.example', cloud: 'aws', region: 'r', provider: 'p' }],
  },
];

function errorOf(raw: Record<string, unknown>): ConfigError {
  try {
    buildConfig({ ...raw, chains }, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('tracing', () => {
  it('is absent unless configured', () => {
    expect(buildConfig({ chains }, FILE).tracing).toBeUndefined();
  });

  it('reads the collector base URL as OTEL_EXPORTER_OTLP_ENDPOINT is read, with defaults', () => {
    const config = buildConfig({ chains, tracing: { otlp: 'http://collector:4318' } }, FILE);
    expect(config.tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      sampleRate: 0.01,
      serviceName: 'switchyard',
    });
    const custom = buildConfig(
      { chains, tracing: { otlp: 'https://otel.example/base/', sampleRate: 1, serviceName: 'edge-rpc' } },
      FILE,
    );
    expect(custom.tracing).toEqual({
      tracesUrl: 'https://otel.example/base/v1/traces',
      sampleRate: 1,
      serviceName: 'edge-rpc',
    });
  });

  it('names the key and never echoes the URL', () => {
    for (const otlp of ['collector:4318/sekrit', 'ftp://collector/sekrit', 'http://c/?key=sekrit']) {
      const err = errorOf({ tracing: { otlp } });
      expect(err.message).toBe(
        `${FILE}: tracing.otlp: expected the collector's http(s) base URL, e.g. http://collector:4318`,
      );
      expect(err.message).not.toContain('sekrit');
    }
    expect(errorOf({ tracing: {} }).message).toBe(`${FILE}: tracing.otlp: required: expected a string`);
    for (const sampleRate of [2, -0.1, '1.5', 'all', true])
      expect(errorOf({ tracing: { otlp: 'http://c', sampleRate } }).message, String(sampleRate)).toMatch(
        /^ops\.yaml: tracing\.sampleRate: expected a number from 0 to 1/,
      );
    expect(errorOf({ tracing: { otlp: 'http://c', endpoint: 'x' } }).message).toContain(
      'tracing.endpoint: unknown key (allowed: otlp, sampleRate, serviceName)',
    );
  });
});

describe('server.opsListen', () => {
  it('is unset by default and reads host:port, IPv6 in brackets', () => {
    expect(buildConfig({ chains }, FILE).server.opsListen).toBeUndefined();
    const read = (opsListen: string) => buildConfig({ chains, server: { opsListen } }, FILE).server.opsListen;
    expect(read('127.0.0.1:9545')).toEqual({ host: '127.0.0.1', port: 9545 });
    expect(read('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(read('ops.internal:9000')).toEqual({ host: 'ops.internal', port: 9000 });
  });

  it('names the key for anything else', () => {
    for (const opsListen of ['9545', ':9545', '1.2.3.4:65536', 'a b:1', '::1:9545']) {
      expect(errorOf({ server: { opsListen } }).message, opsListen).toMatch(
        /^ops\.yaml: server\.opsListen: expected host:port, e\.g\. 127\.0\.0\.1:9545 or \[::1\]:9545/,
      );
    }
  });
});

describe('server.opsListen against the JSON-RPC listener', () => {
  const read = (server: Record<string, unknown>) => buildConfig({ chains, server }, FILE).server.opsListen;

  it("refuses the JSON-RPC listener's own address, naming the key", () => {
    const clashes: Record<string, unknown>[] = [
      { opsListen: '127.0.0.1:8545' }, // the default host and port
      { host: '0.0.0.0', port: 9000, opsListen: '127.0.0.1:9000' },
      { host: '10.0.0.5', port: 9000, opsListen: '0.0.0.0:9000' },
      { host: 'localhost', port: 9000, opsListen: '127.0.0.1:9000' },
      { host: '::', port: 9000, opsListen: '[::1]:9000' },
    ];
    for (const server of clashes) {
      const err = errorOf({ server });
      expect(err.message, JSON.stringify(server)).toMatch(
        /^ops\.yaml: server\.opsListen: the JSON-RPC listener's address \(server\.host .*, server\.port \d+\): the operator routes need a port of their own$/,
      );
      expect(err.keyPath).toBe('server.opsListen');
    }
  });

  it('takes another port, port 0 (any free one) or another interface', () => {
    expect(read({ port: 8545, opsListen: '127.0.0.1:9545' })).toEqual({ host: '127.0.0.1', port: 9545 });
    expect(read({ port: 0, opsListen: '127.0.0.1:0' })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(read({ host: '10.0.0.5', port: 8545, opsListen: '10.0.0.6:8545' })).toEqual({
      host: '10.0.0.6',
      port: 8545,
    });
  });

  it('refuses a host that is neither an IP address nor a host name', () => {
    for (const opsListen of [
      '1.2.3.400:9545',
      '[1::2::3]:9545',
      '[127.0.0.1]:9545',
      'ops_host:9545',
      '-ops:9545',
    ]) {
      expect(errorOf({ server: { opsListen } }).message, opsListen).toBe(
        `${FILE}: server.opsListen: expected host:port, e.g. 127.0.0.1:9545 or [::1]:9545 (the host is not an IP address or a host name)`,
      );
    }
  });
});
