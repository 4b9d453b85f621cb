// `server.opsListen`: where the operator routes listen when they are kept off the JSON-RPC port,
// written `host:port` (`[::1]:9545` for IPv6), as proxies' metrics listeners are.
import { isIP, isIPv6 } from 'node:net';
import type { Node } from './config-values.js';

export interface ListenAddress {
  host: string;
  port: number;
}

const EXPECTED = 'expected host:port, e.g. 127.0.0.1:9545 or [::1]:9545';

export function readListenAddress(node: Node): ListenAddress | undefined {
  if (node.missing) return undefined;
  const text = node.string();
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return node.fail(EXPECTED);
  const port = Number(match[3]);
  if (port > 65535) return node.fail(`${EXPECTED} (port 0 to 65535)`);
  const host = (match[1] ?? match[2])!;
  // Caught here rather than as a failed listen at start: `1.2.3.400`, `[::g]`, `ops_host`.
  const valid =
    match[1] !== undefined ? isIPv6(host) : /^[\d.]+$/.test(host) ? isIP(host) === 4 : HOST_NAME.test(host);
  if (!valid) return node.fail(`${EXPECTED} (the host is not an IP address or a host name)`);
  return { host, port };
}

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?)*$/i;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * Whether two listeners would take the same socket: the same fixed port on the same host, on a
 * wildcard host (every address), or on two loopback names (`localhost` is 127.0.0.1 or ::1).
 */
export function sameListener(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  if (a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host)) return true;
  return isLoopbackHost(a.host) && isLoopbackHost(b.host);
}

/** Whether a listen host accepts connections from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
