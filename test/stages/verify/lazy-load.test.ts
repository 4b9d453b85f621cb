// With no chain configuring `verify` and no x-switchyard-verify header, the built CLI never loads the
// verifying modules nor @ethereumjs (a module-resolution hook lists what the process loads); the first
// verified call loads them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../../src/simulation/index.js';
import { type Cli, startCli } from '../../helpers/ops.js';

const WATCH = fileURLToPath(new URL('../../tracing/module-watch.mjs', import.meta.url));
const VERIFYING = String.raw`@ethereumjs|\/stages\/verify\/verified-call\.js`;

let providers: FakeProvider[] = [];
let cli: Cli | undefined;

beforeAll(async () => {
  const chain = new ChainSim({ chainId: 1, startBlock: 100 });
  providers = [await startFakeProvider({ name: 'a', chain }), await startFakeProvider({ name: 'b', chain })];
});

afterAll(async () => {
  cli?.kill();
  await Promise.all(providers.map((p) => p.close()));
});

async function post(headers: Record<string, string> = {}) {
  const res = await request(`http://127.0.0.1:${cli!.port}/ethereum`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getBalance',
      params: ['0x00000000000000000000000000000000000000aa', 'latest'],
    }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('verification off costs nothing', () => {
  it('loads no verifying module nor @ethereumjs until a call asks for verification', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-verify-')), 'plain.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: 0 }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: a, url: "${providers[0]!.url}", cloud: aws, region: us-east-1, provider: alchemy }
      - { name: b, url: "${providers[1]!.url}", cloud: gcp, region: europe-west1, provider: infura }
`,
    );
    cli = await startCli(['--config', file], { NODE_OPTIONS: `--import=${WATCH}`, MODULE_WATCH: VERIFYING });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(200);
    expect(cli.output()).not.toContain('module-watch:');
    // The first verified call loads them (whatever its verdict on the simulated chain).
    expect((await post({ 'x-switchyard-verify': 'quorum' })).status).toBe(200);
    await cli.waitFor(/module-watch: .*verified-call\.js/);
    await cli.waitFor(/module-watch: .*@ethereumjs/);
  });
});
