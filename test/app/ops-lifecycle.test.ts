// The built CLI under load (keep-alive clients in a closed loop): hot reload by SIGHUP and by file
// watch, an invalid config rejected while the old one keeps serving, and graceful shutdown on SIGTERM
// (in-flight requests finish, exit 0). Each counts failed requests, which must be zero.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type Cli, parseProm, runLoad, sleep, startCli, total } from '../helpers/ops.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-ops-'));
const API_KEY_ENV = 'provider-key-from-env-0123456789';

let chain: ChainSim;
const providers: FakeProvider[] = [];
let slow: FakeProvider;
let hung: FakeProvider;
let cli: Cli | undefined;

beforeAll(async () => {
  chain = new ChainSim({ chainId: 1, startBlock: 42 });
  for (const name of ['p1', 'p2', 'p3'])
    providers.push(await startFakeProvider({ name, chain, latencyMs: 1 }));
  slow = await startFakeProvider({ name: 'slow', chain, latencyMs: 250 });
  hung = await startFakeProvider({ name: 'hung', chain });
});

afterEach(() => {
  cli?.kill();
  cli = undefined;
});

afterAll(async () => {
  await Promise.all([...providers, slow, hung].map((p) => p.close()));
});

function upstream(p: FakeProvider, region: string) {
  // The URL path carries a key from the environment: it must never show up in the logs.
  return `      - { name: ${p.name}, url: "${p.url}v2/\${PROVIDER_KEY}", cloud: aws, region: ${region}, provider: ${p.name} }`;
}

function writeConfig(file: string, ups: FakeProvider[], extra = '') {
  writeFileSync(
    file,
    `server: { host: 127.0.0.1, port: 0, shutdownGrace: 5s }
${extra}
chains:
  - name: ethereum
    chainId: 1
    upstreams:
${ups.map((p, i) => upstream(p, `r${i}`)).join('\n')}
`,
  );
}

async function statusUpstreams(port: number): Promise<string[]> {
  const doc = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
    chains: { upstreams: { name: string }[] }[];
  };
  return doc.chains[0]!.upstreams.map((u) => u.name);
}

const p1 = () => providers[0]!;
const p2 = () => providers[1]!;
const p3 = () => providers[2]!;

describe('hot reload under load', () => {
  it('applies SIGHUP and file-watch reloads, rejects an invalid file, and fails no request', async () => {
    const file = join(dir, 'reload.yaml');
    writeConfig(file, [p1(), p2()]);
    cli = await startCli(['--config', file, '--watch'], { PROVIDER_KEY: API_KEY_ENV });
    const url = `http://127.0.0.1:${cli.port}`;
    const load = runLoad(url, { clients: 6, maxMs: 15_000, pauseMs: 3 });
    try {
      await sleep(200);
      // 1. SIGHUP with a changed upstream set.
      let mark = cli.output().length;
      writeConfig(file, [p2(), p3()]);
      cli.child.kill('SIGHUP');
      await cli.waitFor(/"msg":"config reloaded","trigger":"(SIGHUP|watch)"/, 5000, mark);
      expect(await statusUpstreams(cli.port)).toEqual(['p2', 'p3']);
      await sleep(200);

      // 2. An invalid file: rejected with the reason, the config in use keeps serving.
      mark = cli.output().length;
      writeFileSync(file, 'server:\n  colour: blue\nchains: []\n');
      cli.child.kill('SIGHUP');
      const rejected = await cli.waitFor(/"msg":"config reload rejected[^\n]*/, 5000, mark);
      expect(rejected[0]).toContain('server.colour: unknown key');
      await sleep(200);
      expect(await statusUpstreams(cli.port)).toEqual(['p2', 'p3']);

      // 3. The watcher picks up a fixed file by itself.
      mark = cli.output().length;
      writeConfig(file, [p3(), p1()], 'security: { denyMethods: [eth_sign] }');
      await cli.waitFor(/"msg":"config reloaded","trigger":"watch"/, 5000, mark);
      expect(await statusUpstreams(cli.port)).toEqual(['p3', 'p1']);
      await sleep(200);
    } finally {
      await load.stop();
    }
    const result = await load.done;
    expect(result.failed).toEqual([]);
    expect(result.refused).toBe(0);
    expect(result.ok).toBeGreaterThan(50);

    const metrics = parseProm(await (await fetch(`${url}/metrics`)).text());
    expect(total(metrics, 'switchyard_config_reloads_total', { result: 'applied' })).toBeGreaterThanOrEqual(
      2,
    );
    expect(total(metrics, 'switchyard_config_reloads_total', { result: 'rejected' })).toBeGreaterThanOrEqual(
      1,
    );

    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    expect(cli.output()).not.toContain(API_KEY_ENV);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes requests in flight and exits 0; no request fails', async () => {
    const file = join(dir, 'drain.yaml');
    writeConfig(file, [slow]);
    cli = await startCli(['--config', file], { PROVIDER_KEY: API_KEY_ENV });
    const url = `http://127.0.0.1:${cli.port}`;
    // Every request takes ~250 ms upstream, so 8 are always in flight when the signal comes.
    const load = runLoad(url, { clients: 8, maxMs: 10_000 });
    while (load.result.ok < 16) await sleep(20);
    const okAtSignal = load.result.ok;
    const signalledAt = performance.now();
    cli.child.kill('SIGTERM');
    const code = await cli.exit;
    const exitedAfterMs = performance.now() - signalledAt;
    const result = await load.stop();
    expect(code).toBe(0);
    expect(result.failed).toEqual([]);
    // The requests in flight at the signal were answered, not cut.
    expect(result.ok).toBeGreaterThanOrEqual(okAtSignal + 8);
    expect(exitedAfterMs).toBeLessThan(3000);
    expect(cli.output()).toMatch(/"msg":"draining","signal":"SIGTERM","inFlight":\d+/);
    expect(cli.output()).toContain('"msg":"stopped","drained":true');
  });

  it('closes keep-alive connections without resetting a client in a tight request loop', async () => {
    // Fast answers: connections are idle for microseconds between requests, the moment at which
    // closing an idle keep-alive connection resets the client's next request.
    const file = join(dir, 'drain-fast.yaml');
    writeConfig(file, [p1(), p2()]);
    cli = await startCli(['--config', file], { PROVIDER_KEY: API_KEY_ENV });
    const load = runLoad(`http://127.0.0.1:${cli.port}`, { clients: 16, maxMs: 10_000 });
    while (load.result.ok < 300) await sleep(10);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    const result = await load.stop();
    expect(result.failed).toEqual([]);
    expect(cli.output()).toContain('"msg":"stopped","drained":true');
  });

  it('exits 0 at the grace deadline when a request would outlive it', async () => {
    await hung.setFault({ kind: 'hang' });
    const file = join(dir, 'grace.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: 0, shutdownGrace: 300ms, requestTimeout: 20s }
routing: { tryTimeout: 20s }
health: { timeout: 200ms }
breakers: { upstream: { stallAfter: 20s } }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: hung, url: "${hung.url}", cloud: aws, region: r, provider: p }
`,
    );
    cli = await startCli(['--config', file]);
    const pending = fetch(`http://127.0.0.1:${cli.port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
    }).catch((err: unknown) => err);
    await sleep(150);
    const signalledAt = performance.now();
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    const tookMs = performance.now() - signalledAt;
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(2500);
    expect(cli.output()).toContain('"msg":"stopped","drained":false');
    await pending;
  });
});
