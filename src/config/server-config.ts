// `server:` (where and how the front door listens) and `logging:`.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';
import { readWorkers } from './fleet-config.js';
import { readListenAddress, sameListener } from './listen-address.js';

export function readServer(node: Node): Config['server'] {
  const server = readSection<Config['server']>(node, {
    host: field('host', (n) => n.string('127.0.0.1')),
    port: field('port', (n) => n.number(8545, 0, 65535)),
    maxBodyBytes: field('maxBodyBytes', (n) => n.size(5 * 1024 * 1024)),
    maxBatchSize: field('maxBatchSize', (n) => n.number(100, 1, 10_000)),
    upstreamHeader: field('upstreamHeader', (n) => n.boolean(true)),
    requestTimeoutMs: field('requestTimeout', (n) => n.duration(10_000, 10)),
    shutdownGraceMs: field('shutdownGrace', (n) => n.duration(10_000)),
    corsOrigins: field('corsOrigins', (n) => n.stringList([])),
    workers: field('workers', readWorkers),
    opsListen: field('opsListen', readListenAddress),
  });
  const { opsListen, host, port } = server;
  if (opsListen && sameListener(opsListen, { host, port }))
    node
      .child('opsListen')
      .fail(
        `the JSON-RPC listener's address (server.host ${host}, server.port ${port}): the operator routes need a port of their own`,
      );
  return server;
}

export function readLogging(node: Node): Config['logging'] {
  return readSection<Config['logging']>(node, {
    level: field('level', (n) => n.oneOf(['debug', 'info', 'warn', 'error'], 'info')),
  });
}
