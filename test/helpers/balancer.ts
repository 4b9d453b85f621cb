// Starts a Switchyard server in-process on port 0 for tests, from a config object.
import { request } from 'undici';
import type { RouteHook } from '../../routes/hooks.js';
import { createOperations, operationalStages } from '../../src/app/operations.js';
import { buildConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import type { Observer } from '../../src/routing/observer.js';
import { SwitchyardServer } from '../../src/server/server.js';

export interface TestBalancer {
  url: string;
  /** ws://127.0.0.1:port (append /<chain> as for HTTP). */
  wsUrl: string;
  server: SwitchyardServer;
  logs: string[];
  close(): Promise<void>;
}

export interface UpstreamSpec {
  name: string;
  url: string;
  ws?: string;
  cloud?: string;
  region?: string;
  provider?: string;
  network?: string;
  priority?: number;
}

/** A config object for one chain over the given upstreams, with `extra` merged at the top level. */
export function testConfig(upstreams: UpstreamSpec[], extra: Record<string, unknown> = {}, chainId = 1) {
  const server = { host: '127.0.0.1', port: 0, ...((extra.server as object | undefined) ?? {}) };
  return {
    ...extra,
    server,
    chains: [
      {
        name: 'ethereum',
        chainId,
        upstreams: upstreams.map((u) => ({
          cloud: 'aws',
          region: `region-${u.name}`,
          provider: `provider-${u.name}`,
          ...u,
        })),
      },
    ],
  };
}

export async function startBalancer(
  raw: unknown,
  options: {
    observer?: Observer;
    routes?: RouteHook[];
    secrets?: string[];
    /** The CLI's full wiring: metrics, /metrics, /dashboard, CORS, API keys (observer/routes ignored). */
    operations?: boolean;
  } = {},
): Promise<TestBalancer> {
  const config = buildConfig(raw, 'test.yaml', options.secrets ?? []);
  const logs: string[] = [];
  const logger = createLogger('debug', config.secrets, (line) => logs.push(line));
  const ops = options.operations ? createOperations() : undefined;
  const server = new SwitchyardServer(
    config,
    logger,
    ops?.options ?? {
      ...(options.observer ? { observer: options.observer } : {}),
      stages: operationalStages(),
      routes: options.routes ?? [],
    },
  );
  ops?.attach(server);
  const address = await server.listen();
  return {
    url: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}`,
    server,
    logs,
    close: async () => {
      await server.shutdown(1000);
    },
  };
}

/** POSTs a raw body and returns status, headers and the raw text. */
export async function postRaw(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export async function getJson(url: string) {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) as unknown };
}
