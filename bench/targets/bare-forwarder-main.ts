// The Node floor: node:http in front of one undici Pool, `pool.request()`, written the obvious way and
// with no logic at all (no parsing, no retries, no health, no metrics, no bounds). The overhead table
// measures Switchyard's CPU, memory and throughput against this. Same pool size as Switchyard's
// default `maxConnections`. Usage: node bare-forwarder-main.js URL; prints {"msg":"listening","port":N}.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const target = process.argv[2];
if (!target) {
  console.error('usage: bare-forwarder-main URL');
  process.exit(1);
}
const pool = new Pool(target, { connections: 64, pipelining: 1 });
const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await pool.request({
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    });
    const body = await answer.body.text();
    res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
    res.end(body);
  } catch {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway');
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ msg: 'listening', port }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
