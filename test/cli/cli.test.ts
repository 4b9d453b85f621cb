// The built CLI as a user runs it: --help, --version, check, config errors, serve and drain on SIGTERM.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { postRaw } from '../helpers/balancer.js';
import { MAIN, ROOT, startCli } from '../helpers/ops.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider({ name: 'p', chain: new ChainSim({ chainId: 1, startBlock: 42 }) });
});

afterAll(async () => {
  await provider.close();
});

describe('switchyard CLI', () => {
  it('prints help and version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('switchyard --config FILE');
    const version = await cli(['--version']);
    // The package's own version, not a fallback (it once printed 0.0.0 after a move).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('check accepts the example config', async () => {
    const res = await cli(['check', '--config', join(ROOT, 'config.example.yaml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('ok');
  });

  it('check names the file, key path and expectation, without the URL, and exits 1', async () => {
    const file = writeConfig(
      'bad.yaml',
      `chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: a, url: "https://x.example/v2/k", cloud: aws, region: r, provider: p }
      - { name: b, url: "https://y.example/v2/k", cloud: aws, region: r, provider: p }
      - { name: c, url: "ftp://z.example/v2/topsecretvalue", cloud: aws, region: r, provider: p }
`,
    );
    const res = await cli(['check', '--config', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${file}: chains[0].upstreams[2].url: expected http(s) URL`);
    expect(res.stderr).not.toContain('topsecretvalue');
  });

  it('refuses to start on a config error, naming the unknown key', async () => {
    const file = writeConfig('unknown.yaml', 'server:\n  port: 1\n  colour: blue\nchains: []\n');
    const res = await cli(['--config', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('server.colour: unknown key');
  });

  it('serves from a config with environment-variable secrets, never logs them, and drains on SIGTERM with exit 0', async () => {
    const file = writeConfig(
      'serve.yaml',
      `server: { host: 127.0.0.1, port: 0 }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: p, url: "${provider.url}v2/${'$'}{API_KEY}", cloud: aws, region: us-east-1, provider: alchemy }
`,
    );
    const cli = await startCli(['--config', file], { API_KEY: 'key-that-must-not-leak-123' });
    const port = cli.port;
    const res = await postRaw(
      `http://127.0.0.1:${port}/`,
      '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
    );
    expect(res.text).toBe('{"jsonrpc":"2.0","id":1,"result":"0x2a"}');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    const out = cli.output();
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toContain('key-that-must-not-leak-123');
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
