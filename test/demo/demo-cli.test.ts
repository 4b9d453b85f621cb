// `switchyard demo` through its CLI, as a newcomer runs it: the printed URLs work, a read is answered,
// the fault-control route takes a region down (reads keep being answered elsewhere) and heals it,
// and Ctrl-C stops everything it started: exit 0, no child process, every port it opened closed.
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postRaw, startBalancer } from '../helpers/balancer.js';
import { type Cli, startCli } from '../helpers/ops.js';

const READY = /Ctrl-C stops everything/;
let demo: Cli;
let base: string;
let fleetPorts: number[];

const BLOCK_NUMBER = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}';

const postFault = (target: string, fault: string, contentType = 'application/json') =>
  postRaw(`${base}/demo/fault`, JSON.stringify({ target, fault }), { 'content-type': contentType });

/** Resolves true when something accepts a TCP connection on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

beforeAll(async () => {
  demo = await startCli(['demo', '--port', '0'], {}, READY);
  const output = demo.output();
  base = /RPC\s+(http:\/\/127\.0\.0\.1:\d+)\/ethereum/.exec(output)![1]!;
  fleetPorts = [...output.matchAll(/^\s+\S+\s+\S+\/\S+\s+\S+\s+http:\/\/127\.0\.0\.1:(\d+)\/$/gm)].map((m) =>
    Number(m[1]),
  );
}, 30_000);

afterAll(() => {
  demo?.kill();
});

describe('switchyard demo', () => {
  it('prints the RPC, dashboard and status URLs and the fleet, and serves them', async () => {
    const output = demo.output();
    expect(output).toContain(`dashboard  ${base}/dashboard`);
    expect(output).toContain(`status     ${base}/status`);
    // Two hyperscaler regions, a decentralized network and a bare-metal operator.
    for (const region of ['aws/us-east-1', 'gcp/europe-west1', 'decentralized/global', 'bare-metal/gra']) {
      expect(output).toContain(region);
    }
    expect(fleetPorts).toHaveLength(6);
    const answer = await postRaw(`${base}/ethereum`, BLOCK_NUMBER);
    expect(answer.text).toMatch(/"result":"0x[0-9a-f]+"/);
    const status = (await getJson(`${base}/status`)).json as {
      chains: { upstreams: unknown[]; maxShare: unknown }[];
    };
    expect(status.chains[0]!.upstreams).toHaveLength(6);
    expect(status.chains[0]!.maxShare).toMatchObject({ cloud: { cap: 0.5 }, provider: { cap: 0.4 } });
    const page = await fetch(`${base}/dashboard`);
    expect(await page.text()).toContain('id="demo-controls"');
  });

  it('takes a region down with the fault-control route; reads are answered elsewhere; heal brings it back', async () => {
    const refused = await postFault('region:aws/us-east-1', 'refuse');
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.text)).toMatchObject({ upstreams: ['aws-use1-a', 'aws-use1-b'] });
    const faults = (await getJson(`${base}/demo/faults`)).json as {
      targets: { key: string; fault: string }[];
    };
    expect(faults.targets.find((t) => t.key === 'region:aws/us-east-1')?.fault).toBe('refuse');
    expect(faults.targets.find((t) => t.key === 'provider:ovh')?.fault).toBe('none');
    for (let i = 0; i < 30; i++) {
      const answer = await postRaw(`${base}/ethereum`, BLOCK_NUMBER);
      expect(answer.text).toContain('"result"');
      expect(answer.headers['x-switchyard-upstream']).not.toMatch(/^aws-/);
    }
    const healed = await postFault('region:aws/us-east-1', 'heal');
    expect(healed.status).toBe(200);
    const after = (await getJson(`${base}/demo/faults`)).json as {
      targets: { key: string; fault: string }[];
    };
    expect(after.targets.every((t) => t.fault === 'none')).toBe(true);
  });

  it('refuses bad fault requests, and cross-origin-style posts without a JSON content type', async () => {
    expect((await postFault('region:nowhere', 'hang')).status).toBe(400);
    expect((await postFault('region:aws/us-east-1', 'explode')).status).toBe(400);
    expect((await postFault('region:aws/us-east-1', 'hang', 'text/plain')).status).toBe(415);
    expect((await fetch(`${base}/demo/fault`)).status).toBe(405);
  });

  it('Ctrl-C stops everything it started: exit 0, no child process, every port closed', async () => {
    expect(childrenOf(demo.child.pid!)).toEqual([]);
    const port = Number(new URL(base).port);
    expect(await listening(port)).toBe(true);
    demo.child.kill('SIGINT');
    expect(await demo.exit).toBe(0);
    expect(demo.output()).toContain('demo: stopped');
    for (const p of [port, ...fleetPorts]) expect(await listening(p), `port ${p}`).toBe(false);
  });
});

describe('outside demo mode', () => {
  it('has no fault-control routes and no controls on the dashboard', async () => {
    const balancer = await startBalancer(
      {
        server: { host: '127.0.0.1', port: 0 },
        chains: [{ name: 'e', chainId: 1, upstreams: [{ name: 'a', url: 'http://127.0.0.1:9/' }] }],
      },
      { operations: true },
    );
    try {
      expect((await fetch(`${balancer.url}/demo/faults`)).status).toBe(404);
      const post = await postRaw(
        `${balancer.url}/demo/fault`,
        '{"target":"region:aws/us-east-1","fault":"hang"}',
      );
      expect(post.status).toBe(404);
      expect(await (await fetch(`${balancer.url}/dashboard`)).text()).not.toContain('demo-controls');
    } finally {
      await balancer.close();
    }
  });
});
