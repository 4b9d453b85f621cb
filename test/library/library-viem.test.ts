// The balancer as a library (issue 15): createSwitchyard over the simulated fleet, in process with no
// listening socket, and viem on top through the 'switchyard/viem' transport: reads, typed errors, a
// region outage with zero failed calls, and close() releasing every upstream connection and timer.
import { createPublicClient } from 'viem';
import { mainnet } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/anvil/chain-front.js';
import { ConfigError } from '../../src/config/config.js';
import { createSwitchyard } from '../../src/library/create-switchyard.js';
import { SwitchyardRpcError } from '../../src/library/rpc-error.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { switchyard } from '../../src/viem.js';
import { fleetUpstreams } from '../helpers/ops.js';

let fleet: Fleet;

const configFor = (f: Fleet) => ({
  chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(f) }],
});

const openConnections = () => fleet.providers.reduce((n, p) => n + p.openConnections, 0);

/** Node's own count of active timers and TCP sockets (servers excluded). */
function activeResources(): { timers: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return {
    timers: info.filter((r) => r === 'Timeout').length,
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
  };
}

/**
 * The standard fleet's labels with aws clearly the fastest, so live reads sit on aws/us-east-1 on a
 * machine busy with other test files too, and its outage is one the calls must route around.
 */
const LATENCY_MS: Record<string, number> = { aws: 1, gcp: 25, decentralized: 40 };

beforeAll(async () => {
  const providers = standardFleet().map((p) => ({ ...p, latencyMs: LATENCY_MS[p.cloud] ?? p.latencyMs }));
  fleet = await startFleet({ providers, startBlock: 1000 });
});

afterAll(async () => {
  await fleet.close();
});

describe('createSwitchyard', () => {
  it('validates the config like the YAML loader: the error names the key path and the config', async () => {
    const bad = configFor(fleet);
    const upstreams = [...bad.chains[0]!.upstreams, { name: 'x', url: 'ftp://nope' }];
    const err = await createSwitchyard({ chains: [{ ...bad.chains[0]!, upstreams }] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'createSwitchyard(config): chains[0].upstreams[5].url: expected http(s) URL',
    );
    const named = await createSwitchyard({ chains: [] }, { configName: 'app.ts' }).catch((e: unknown) => e);
    expect((named as Error).message).toBe('app.ts: chains: required: expected at least one chain');
  });

  it('answers reads in process, throws typed errors with the JSON-RPC error object, reports status', async () => {
    const before = openConnections();
    const sy = await createSwitchyard(configFor(fleet));
    try {
      expect(await sy.request('ethereum', { method: 'eth_chainId', params: [] })).toBe('0x1');
      const head = await sy.request<string>('ethereum', { method: 'eth_blockNumber' });
      expect(Number.parseInt(head, 16)).toBeGreaterThanOrEqual(1000);
      const denied = await sy.request('ethereum', { method: 'admin_peers' }).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(SwitchyardRpcError);
      expect((denied as SwitchyardRpcError).code).toBe(-32053);
      expect((denied as SwitchyardRpcError).error.message).toMatch(/not allowed/);
      // A provider's own error object comes through unchanged, with the upstream that sent it.
      const unknown = (await sy
        .request('ethereum', { method: 'eth_noSuchMethod' })
        .catch((e: unknown) => e)) as SwitchyardRpcError;
      expect(unknown.error.code).toBe(-32601);
      expect(unknown.upstream).toBeDefined();
      const missing = (await sy
        .request('nochain', { method: 'eth_chainId' })
        .catch((e: unknown) => e)) as SwitchyardRpcError;
      expect(missing.code).toBe(-32601);
      const status = sy.status();
      expect(status.chains[0]!.upstreams.map((u) => u.name)).toEqual(fleet.providers.map((p) => p.name));
      expect(status.chains[0]!.traffic.attempts).toBeGreaterThan(0);
    } finally {
      await sy.close();
    }
    const refused = await sy.request('ethereum', { method: 'eth_chainId' }).catch((e: unknown) => e);
    expect((refused as SwitchyardRpcError).code).toBe(-32057);
    await waitFor(() => openConnections() === before, 3000, 'fleet connections to close');
  });
});

describe("viem transport ('switchyard/viem')", () => {
  it('reads through viem, survives a region outage with zero failed calls, and close releases everything', async () => {
    const baseline = activeResources();
    const baseConnections = openConnections();
    const transport = switchyard(configFor(fleet));
    const client = createPublicClient({ chain: mainnet, transport });
    expect(await client.getChainId()).toBe(1);
    expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(1000n);
    expect(
      await client.getBalance({ address: '0x00000000000000000000000000000000000000aa' }),
    ).toBeGreaterThan(0n);
    expect(client.transport.type).toBe('switchyard');

    // Distinct addresses: viem would share one answer among identical concurrent calls.
    let n = 0;
    const read = () =>
      client.getBalance({ address: `0x${(++n).toString(16).padStart(40, '0')}` }).then(
        () => true,
        () => false,
      );
    // Healthy: a bounded burst of reads, every one answered.
    const healthy = await Promise.all(Array.from({ length: 50 }, read));
    expect(healthy.every(Boolean)).toBe(true);

    // aws/us-east-1 hangs: calls fail over (stall, hedge, domain breaker) with no failed call.
    await fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'hang' });
    // Eight closed-loop callers, bounded in count and time: staggered calls, as real traffic is.
    let failed = 0;
    let answered = 0;
    const until = Date.now() + 3000;
    const caller = async () => {
      while (answered + failed < 600 && Date.now() < until) {
        if (await read()) answered++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, caller));
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(50);
    const sy = await transport.instance();
    // The hang was seen: calls met the hung region (and were answered elsewhere), or, when the
    // detector's probes saw it first (a loaded machine spaces the calls out), its members are down.
    const aws = sy.status().chains[0]!.upstreams.filter((u) => u.cloud === 'aws');
    expect(aws.some((u) => u.lastError === 'no answer (stalled)' || u.detection.state === 'down')).toBe(true);
    await fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'none' });

    // close(): hung attempts, pools, health-check timers and breaker timers are all gone.
    await client.transport.close();
    await waitFor(() => openConnections() === baseConnections, 5000, 'fleet connections to close');
    await waitFor(
      () => {
        const now = activeResources();
        return now.timers <= baseline.timers && now.sockets <= baseline.sockets;
      },
      5000,
      'timers and sockets back to the baseline',
    );
  });
});
