// `chains:` each chain (its name is a URL path), its family identity and its upstreams; chain names
// and upstream names are unique across the config.
import { readChainIdentity } from './chain-identity.js';
import { field, readSection } from './config-fields.js';
import type { ChainConfig, UpstreamConfig } from './config-types.js';
import type { Node } from './config-values.js';
import { readRateLimit } from './providers-config.js';
import { checkVerifyReachable, readVerify } from './verify-config.js';

const RESERVED_PATHS = ['healthz', 'readyz', 'status', 'metrics', 'dashboard', 'admin'];

export function readChains(chainsNode: Node): ChainConfig[] {
  const chains = chainsNode.list().map(readChain);
  if (chains.length === 0) chainsNode.fail('required: expected at least one chain');
  const seenChains = new Set<string>();
  const seenUpstreams = new Set<string>();
  chains.forEach((chain, i) => {
    if (seenChains.has(chain.name))
      chainsNode.child(i).child('name').fail(`duplicate chain name "${chain.name}"`);
    seenChains.add(chain.name);
    chain.upstreams.forEach((u, j) => {
      if (seenUpstreams.has(u.name)) {
        chainsNode
          .child(i)
          .child('upstreams')
          .child(j)
          .child('name')
          .fail(`duplicate upstream name "${u.name}"`);
      }
      seenUpstreams.add(u.name);
    });
  });
  return chains;
}

function readChain(node: Node): ChainConfig {
  node.object(['name', 'family', 'chainId', 'genesisHash', 'network', 'upstreams', 'verify']);
  const nameNode = node.child('name');
  const name = nameNode.string();
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name))
    nameNode.fail('expected letters, digits, "-" or "_" (it is a URL path)');
  if (RESERVED_PATHS.includes(name)) nameNode.fail(`"${name}" is a reserved path`);
  const upstreamsNode = node.child('upstreams');
  const upstreams = upstreamsNode.list().map(readUpstream);
  if (upstreams.length === 0) upstreamsNode.fail('expected at least one upstream');
  if (upstreams.every((u) => u.shadow))
    upstreamsNode.fail('expected at least one upstream that is not a shadow');
  const identity = readChainIdentity(node);
  const verify = readVerify(node.child('verify'), identity.family);
  const chain: ChainConfig = { name, ...identity, upstreams, ...(verify ? { verify } : {}) };
  checkVerifyReachable(node, chain);
  return chain;
}

function readUpstream(node: Node): UpstreamConfig {
  return readSection<UpstreamConfig>(node, {
    name: field('name', (n) => n.string()),
    url: field('url', readHttpUrl),
    ws: field('ws', readWsUrl),
    cloud: field('cloud', (n) => n.string('unknown')),
    region: field('region', (n) => n.string('unknown')),
    provider: field('provider', (n) => n.string('unknown')),
    network: field('network', (n) => n.optionalString()),
    priority: field('priority', (n) => n.number(0, 0, 100)),
    maxConnections: field('maxConnections', (n) => n.number(64, 1, 4096)),
    headers: field('headers', readHeaders),
    archive: field('archive', (n) => (n.missing ? undefined : n.boolean(false))),
    rateLimit: field('rateLimit', readRateLimit),
    shadow: field('shadow', (n) => n.boolean(false)),
  });
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function readHttpUrl(node: Node): string {
  const url = node.string();
  const parsed = parseUrl(url);
  // The URL itself is never echoed: it may hold an API key.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    node.fail('expected http(s) URL');
  return url;
}

function readWsUrl(node: Node): string | undefined {
  const ws = node.optionalString();
  if (ws !== undefined && !/^wss?:$/.test(parseUrl(ws)?.protocol ?? '')) node.fail('expected ws(s) URL');
  return ws;
}

/** Header names are case-insensitive: kept lower-case. */
function readHeaders(node: Node): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (node.missing) return headers;
  node.object(Object.keys(node.value as object));
  for (const key of Object.keys(node.value as object)) headers[key.toLowerCase()] = node.child(key).string();
  return headers;
}
