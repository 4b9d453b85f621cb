// The config keys of fleet mode: `fleet` (Redis URL and fleet name), `server.workers` and
// `security.adminKeys`. The Redis URL is a secret (it may carry a password): errors never echo it.
import { availableParallelism } from 'node:os';
import type { Node } from './config-values.js';

export interface FleetConfig {
  /** redis:// or rediss:// URL; a secret, never logged or shown. */
  redisUrl: string;
  /** Members with the same name share state; also the prefix of every Redis key and channel. */
  name: string;
}

export function readFleet(node: Node): FleetConfig | undefined {
  if (node.missing) return undefined;
  node.object(['redis', 'name']);
  const urlNode = node.child('redis');
  const redisUrl = urlNode.string();
  let protocol: string | undefined;
  try {
    protocol = new URL(redisUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') urlNode.fail('expected a redis:// or rediss:// URL');
  const nameNode = node.child('name');
  const name = nameNode.string();
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(name))
    nameNode.fail('expected up to 64 letters, digits, ".", "-" or "_"');
  return { redisUrl, name };
}

/** `n` (1 to 64) or `auto` (one per core the process may use). */
export function readWorkers(node: Node): number {
  if (node.value === 'auto') return availableParallelism();
  return node.number(1, 1, 64);
}

export function readAdminKeys(node: Node): string[] {
  const keys = node.stringList([]);
  keys.forEach((key, i) => {
    // The key itself is never echoed: it is a secret.
    if (/\s/.test(key)) node.child(i).fail('expected no whitespace');
    if (keys.indexOf(key) !== i) node.child(i).fail('duplicate admin key');
  });
  return keys;
}
