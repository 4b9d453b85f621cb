// `security:` API keys (with their rate limits), the methods no client may call, the admin keys.
import { field, readSection } from './config-fields.js';
import type { Config } from './config-types.js';
import type { Node } from './config-values.js';
import { readAdminKeys } from './fleet-config.js';

type ApiKeyConfig = Config['security']['apiKeys'][number];

export function readSecurity(node: Node): Config['security'] {
  return readSection<Config['security']>(node, {
    apiKeys: field('apiKeys', readApiKeys),
    denyMethods: field('denyMethods', (n) =>
      n.stringList(['admin_*', 'debug_*', 'personal_*', 'miner_*', 'clique_*', 'txpool_*', 'engine_*']),
    ),
    adminKeys: field('adminKeys', readAdminKeys),
  });
}

function readApiKeys(keysNode: Node): ApiKeyConfig[] {
  const apiKeys = keysNode.list().map(readApiKey);
  apiKeys.forEach((k, i) => {
    // The key itself is never echoed: it is a secret.
    if (apiKeys.findIndex((o) => o.name === k.name) !== i)
      keysNode.child(i).child('name').fail(`duplicate API key name "${k.name}"`);
    if (apiKeys.findIndex((o) => o.key === k.key) !== i) keysNode.child(i).child('key').fail('duplicate key');
    if (/[\s/]/.test(k.key)) keysNode.child(i).child('key').fail('expected no whitespace or "/"');
    // `/<chain>/websocket` is CometBFT's WebSocket path: a key of that name would be ambiguous.
    if (k.key === 'websocket')
      keysNode
        .child(i)
        .child('key')
        .fail('"websocket" is reserved (ws://host/<chain>/websocket is CometBFT\'s path)');
  });
  return apiKeys;
}

function readApiKey(k: Node): ApiKeyConfig {
  k.object(['name', 'key', 'ratePerSecond', 'burst']);
  const ratePerSecond = k.child('ratePerSecond').number(0, 0, 1_000_000);
  return {
    name: k.child('name').string(),
    key: k.child('key').string(),
    ratePerSecond,
    // The burst defaults to one second's worth of calls.
    burst: k.child('burst').number(Math.max(1, ratePerSecond), 1, 1_000_000),
  };
}
