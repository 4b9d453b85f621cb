// Fleet-mode config keys: fleet.redis and fleet.name, server.workers and security.adminKeys; the
// Redis URL is a secret and never appears in an error.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/config.js';

const chains = [{ name: 'ethereum', chainId: 1, upstreams: [{ name: 'a', url: 'http://127.0.0.1:1' }] }];
const build = (extra: Record<string, unknown>) => buildConfig({ chains, ...extra }, 'test.yaml');
const errorOf = (extra: Record<string, unknown>) => {
  try {
    build(extra);
  } catch (err) {
    if (err instanceof ConfigError) return err;
  }
  throw new Error('expected a ConfigError');
};

describe('fleet config', () => {
  it('is absent by default and reads a Redis URL and a fleet name', () => {
    expect(build({}).fleet).toBeUndefined();
    expect(build({ fleet: { redis: 'redis://127.0.0.1:6379', name: 'prod-eu' } }).fleet).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      name: 'prod-eu',
    });
  });

  it('rejects a URL that is not redis:// without echoing it', () => {
    const err = errorOf({ fleet: { redis: 'http://user:s3cret-pass@host:6379', name: 'x' } });
    expect(err.keyPath).toBe('fleet.redis');
    expect(err.message).not.toContain('s3cret');
  });

  it('requires a name fit for Redis keys', () => {
    expect(errorOf({ fleet: { redis: 'redis://h:1' } }).keyPath).toBe('fleet.name');
    expect(errorOf({ fleet: { redis: 'redis://h:1', name: 'a b' } }).keyPath).toBe('fleet.name');
    expect(errorOf({ fleet: { redis: 'redis://h:1', name: 'x', nodes: 3 } }).keyPath).toBe('fleet.nodes');
  });

  it('reads server.workers as a count or auto', () => {
    expect(build({}).server.workers).toBe(1);
    expect(build({ server: { workers: 2 } }).server.workers).toBe(2);
    expect(build({ server: { workers: 'auto' } }).server.workers).toBe(availableParallelism());
    expect(errorOf({ server: { workers: 0 } }).keyPath).toBe('server.workers');
  });

  it('reads admin keys and rejects duplicates', () => {
    expect(build({ security: { adminKeys: ['k1-0123456789'] } }).security.adminKeys).toEqual([
      'k1-0123456789',
    ]);
    const err = errorOf({ security: { adminKeys: ['same-key-123', 'same-key-123'] } });
    expect(err.keyPath).toBe('security.adminKeys[1]');
    expect(err.message).not.toContain('same-key-123');
  });

  it('reserves the /admin path', () => {
    expect(errorOf({ chains: [{ ...chains[0], name: 'admin' }] }).keyPath).toBe('chains[0].name');
  });
});
