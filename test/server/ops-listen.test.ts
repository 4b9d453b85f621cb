// `server.opsListen` through the built CLI: the operator routes on their own listener, 404 on the
// JSON-RPC port, probes on both; without it everything stays on the one port; `switchyard check`
// warns when that one port listens beyond loopback.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type Cli, MAIN, startCli } from '../helpers/ops.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-ops-listen-'));
const ADMIN_KEY = 'admin-key-ops-listen-test';

let provider: FakeProvider;
const started: Cli[] = [];

function writeConfig(name: string, server: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `server:\n${server}
security:
  adminKeys: ["${ADMIN_KEY}"]
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: p, url: "${provider.url}", cloud: aws, region: r, provider: p }
`,
  );
  return file;
}

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, text: await res.body.text() };
}

async function rpc(base: string) {
  const res = await request(`${base}/ethereum`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber","params":[]}',
  });
  return { status: res.statusCode, text: await res.body.text() };
}

beforeAll(async () => {
  provider = await startFakeProvider({ name: 'p', chain: new ChainSim({ chainId: 1, startBlock: 42 }) });
});

afterAll(async () => {
  for (const cli of started) cli.kill();
  await provider.close();
});

describe('server.opsListen', () => {
  it('serves the operator routes on their own port and answers them 404 on the JSON-RPC port', async () => {
    const file = writeConfig('ops.yaml', '  host: 127.0.0.1\n  port: 0\n  opsListen: 127.0.0.1:0');
    const cli = await startCli(['--config', file]);
    started.push(cli);
    const opsPort = Number((await cli.waitFor(/"msg":"operator routes listening".*"port":(\d+)/))[1]);
    expect(opsPort).toBeGreaterThan(0);
    expect(opsPort).not.toBe(cli.port);
    const rpcBase = `http://127.0.0.1:${cli.port}`;
    const opsBase = `http://127.0.0.1:${opsPort}`;

    const admin = { 'x-admin-key': ADMIN_KEY };
    for (const path of ['/status', '/metrics', '/dashboard', '/dashboard/', '/admin/cordons']) {
      const onRpc = await get(rpcBase, path, admin);
      expect(onRpc.status, path).toBe(404);
      expect(onRpc.text, path).toContain('no such route');
    }
    const status = await get(opsBase, '/status');
    expect(status.status).toBe(200);
    expect(JSON.parse(status.text).chains[0].name).toBe('ethereum');
    const metrics = await get(opsBase, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('switchyard_');
    expect((await get(opsBase, '/dashboard')).status).toBe(200);
    expect((await get(opsBase, '/admin/cordons', admin)).status).toBe(200);
    // Without the admin key the admin routes still refuse, on the operator port too.
    expect((await get(opsBase, '/admin/cordons')).status).toBe(401);

    for (const base of [rpcBase, opsBase]) {
      expect((await get(base, '/healthz')).status).toBe(200);
      const ready = await get(base, '/readyz');
      expect([200, 503]).toContain(ready.status);
      expect(ready.text).toContain('status');
    }
    // JSON-RPC stays on its port only.
    const served = await rpc(rpcBase);
    expect(served.status).toBe(200);
    expect(served.text).toContain('"result":"0x2a"');
    expect((await rpc(opsBase)).status).toBe(404);

    // SIGTERM closes both listeners and exits 0.
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    await expect(get(opsBase, '/healthz')).rejects.toThrow();
  });

  it('without it keeps every route on the one port, as before', async () => {
    const file = writeConfig('one-port.yaml', '  host: 127.0.0.1\n  port: 0');
    const cli = await startCli(['--config', file]);
    started.push(cli);
    const base = `http://127.0.0.1:${cli.port}`;
    expect((await get(base, '/status')).status).toBe(200);
    expect((await get(base, '/metrics')).status).toBe(200);
    expect((await get(base, '/dashboard')).status).toBe(200);
    expect(cli.output()).not.toContain('operator routes listening');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('switchyard check warns when the JSON-RPC port listens beyond loopback with the operator routes on it', async () => {
    const check = async (server: string) => {
      const file = writeConfig(`check-${server.length}.yaml`, server);
      const { stdout, stderr } = await run(process.execPath, [MAIN, 'check', '--config', file]);
      return { stdout, stderr };
    };
    const [exposed, split, loopback, loopback6] = await Promise.all([
      check('  host: 0.0.0.0'),
      check('  host: 0.0.0.0\n  opsListen: 127.0.0.1:9545'),
      check('  host: 127.0.0.1'),
      check('  host: "::1"'),
    ]);
    expect(exposed.stdout).toContain('ok');
    expect(exposed.stderr).toContain('warning:');
    expect(exposed.stderr).toContain('server.opsListen');
    expect(split.stderr).toBe('');
    expect(loopback.stderr).toBe('');
    expect(loopback6.stderr).toBe('');
  });

  it('refuses an opsListen that is not host:port, naming the key', async () => {
    const bad = ['9545', 'localhost', '127.0.0.1:99999', '[::1]9545'];
    await Promise.all(
      bad.map(async (value, i) => {
        const file = writeConfig(`bad-${i}.yaml`, `  opsListen: "${value}"`);
        const err = (await run(process.execPath, [MAIN, 'check', '--config', file]).catch(
          (e: unknown) => e,
        )) as { code: number; stderr: string };
        expect(err.code, value).toBe(1);
        expect(err.stderr, value).toContain(`${file}: server.opsListen: expected host:port`);
      }),
    );
  });

  it('refuses an opsListen on the JSON-RPC port, and a host that is no address, naming the key and the file', async () => {
    const cases = [
      [
        '  host: 0.0.0.0\n  port: 8545\n  opsListen: 127.0.0.1:8545',
        "server.opsListen: the JSON-RPC listener's address",
      ],
      ['  opsListen: "300.1.2.3:9545"', 'server.opsListen: expected host:port'],
    ] as const;
    await Promise.all(
      cases.map(async ([server, message], i) => {
        const file = writeConfig(`clash-${i}.yaml`, server);
        const err = (await run(process.execPath, [MAIN, 'check', '--config', file]).catch(
          (e: unknown) => e,
        )) as { code: number; stderr: string };
        expect(err.code, server).toBe(1);
        expect(err.stderr, server).toContain(`config error: ${file}: ${message}`);
      }),
    );
  });
});
