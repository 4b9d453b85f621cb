// `server.opsListen`: where the operator routes listen when they are kept off the JSON-RPC port,
// written `host:port` (`[::1]:9545` for IPv6), as proxies' metrics listeners are.
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
  return { host: (match[1] ?? match[2])!, port };
}

/** Whether a listen host accepts connections from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
