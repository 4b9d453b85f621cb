// Valid configs that are still risky: `switchyard check` prints these as warnings (exit status 0).
import type { Config } from './config-types.js';
import { isLoopbackHost } from './listen-address.js';

export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const { host, port, opsListen } = config.server;
  if (opsListen === undefined && !isLoopbackHost(host)) {
    warnings.push(
      `${config.file}: server.host ${host} listens beyond loopback and the operator routes ` +
        `(/status, /dashboard, /metrics, /admin/*) are on that port (${port}): set server.opsListen ` +
        '(e.g. 127.0.0.1:9545) to serve them on their own listener',
    );
  }
  return warnings;
}
