// A naive round-robin JSON-RPC proxy on http-proxy 1.18, as a tutorial would write it: no agent (so
// every upstream request opens a new connection: http-proxy sends `Connection: close`), no health
// checks, no retries. A baseline for the overhead table only; see bench/README.md for why it must not
// carry production traffic. Usage: node naive-proxy-main.js URL [URL...]; prints {"msg":"listening","port":N}.
import { createServer } from 'node:http';
import httpProxy from 'http-proxy';

const targets = process.argv.slice(2);
if (targets.length === 0) {
  console.error('usage: naive-proxy-main URL [URL...]');
  process.exit(1);
}
const proxy = httpProxy.createProxyServer({});
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway');
  } else res.destroy();
});
let next = 0;
const server = createServer((req, res) => {
  const target = targets[next++ % targets.length]!;
  res.setHeader('x-switchyard-upstream', target);
  proxy.web(req, res, { target });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ msg: 'listening', port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
