// A fake Bitcoin Core node on a real socket (src/simulation/fake-bitcoin.ts answers, in both envelopes
// as Core does) that also records each request's `authorization` header, and a Switchyard config with
// Bitcoin chains over such nodes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BitcoinChain, BitcoinNode } from '../../src/simulation/fake-bitcoin.js';

export interface BitcoinUpstream {
  /** http://127.0.0.1:port/ (with `user:password@` when the node wants basic auth). */
  url: string;
  /** The `authorization` header of every request received, in order. */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** The height of `bitcoinChain()`: it never moves, so answers can be compared byte for byte. */
export const BITCOIN_HEIGHT = 870_000;

export function bitcoinChain(): BitcoinChain {
  return new BitcoinChain({ name: 'envelopes', startHeight: BITCOIN_HEIGHT });
}

export async function startBitcoinUpstream(
  chain: BitcoinChain,
  opts: { coreVersion?: number; credentials?: string } = {},
): Promise<BitcoinUpstream> {
  const node = new BitcoinNode({ chain, coreVersion: opts.coreVersion });
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}');
        return;
      }
      const answer = node.wire(parsed);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = opts.credentials ? `${opts.credentials}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}/`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `chains:` entry for a Bitcoin chain over `upstreams`. */
export function bitcoinChainConfig(name: string, chain: BitcoinChain, upstreams: BitcoinUpstream[]) {
  return {
    name,
    family: 'bitcoin',
    genesisHash: chain.genesisHash,
    upstreams: upstreams.map((u, i) => ({
      name: `${name}-${i}`,
      url: u.url,
      cloud: 'aws',
      region: `region-${i}`,
      provider: `provider-${i}`,
    })),
  };
}
