// OpenTelemetry traces through the built CLI: an OTLP/HTTP receiver started here gets a span per client
// call (HTTP and WebSocket) continuing the client's `traceparent`, with a child span per upstream
// attempt (upstream, failure domains, outcome, why it was a retry or a hedge). Without `tracing`
// nothing of it is loaded (a module-resolution hook lists what the process loads).

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ChainSim, type FakeProvider, startFakeProvider } from '../../src/simulation/index.js';
import { type Cli, MAIN, startCli } from '../helpers/ops.js';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

const WATCH = fileURLToPath(new URL('./module-watch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-tracing-'));

const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

let slow: FakeProvider;
let fast: FakeProvider;
const receiver = new OtlpReceiver();
const clis: Cli[] = [];

function writeConfig(name: string, tracing: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `server: { host: 127.0.0.1, port: 0 }
routing:
  hedge: { minDelay: 300ms, maxDelay: 300ms }
breakers:
  upstream: { stallAfter: 2500ms }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: slow-a, url: "${slow.url}", cloud: aws, region: us-east-1, provider: alchemy, priority: 0 }
      - { name: fast-b, url: "${fast.url}", cloud: gcp, region: europe-west1, provider: infura, priority: 1 }
${tracing}`,
  );
  return file;
}

async function post(cli: Cli, body: string, headers: Record<string, string> = {}) {
  const res = await request(`http://127.0.0.1:${cli.port}/ethereum`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const call = (method: string, params: unknown[] = []) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

beforeAll(async () => {
  const chain = new ChainSim({ chainId: 1, startBlock: 100 });
  // slow-a (preferred by priority) fails eth_getBalance at once (a retry follows, well before the
  // 300 ms hedge delay) and, slowed down, answers late enough to be hedged (the stall deadline is
  // fixed far beyond, so the hedge comes first); fast-b answers everything at once.
  slow = await startFakeProvider({
    name: 'slow-a',
    chain,
    handler: (req) =>
      req.method === 'eth_getBalance' ? { error: { code: -32603, message: 'internal error' } } : undefined,
  });
  fast = await startFakeProvider({ name: 'fast-b', chain });
  await receiver.start();
});

afterAll(async () => {
  for (const cli of clis) cli.kill();
  await Promise.all([slow.close(), fast.close(), receiver.close()]);
});

describe('tracing', () => {
  let cli: Cli;

  beforeAll(async () => {
    // sampleRate 0: only calls whose client sent a sampled traceparent are traced.
    const file = writeConfig(
      'traced.yaml',
      `tracing: { otlp: "${receiver.url}/", sampleRate: 0, serviceName: sy-test }`,
    );
    cli = await startCli(['--config', file], { OTEL_BSP_SCHEDULE_DELAY: '100' });
    clis.push(cli);
  });

  it('continues the client traceparent: a call span with a child span per attempt, exported to <otlp>/v1/traces', async () => {
    const traceId = hex(32);
    const parent = hex(16);
    const res = await post(cli, call('eth_blockNumber'), { traceparent: `00-${traceId}-${parent}-01` });
    expect(res.status).toBe(200);
    const spans = await receiver.trace(traceId, 2);
    const server = spans.find((s) => s.kind === 2);
    const attempts = spans.filter((s) => s.kind === 3);
    expect(server, JSON.stringify(spans)).toBeDefined();
    expect(server!.parentSpanId).toBe(parent);
    expect(server!.name).toBe('eth_blockNumber');
    expect(server!.service).toBe('sy-test');
    expect(server!.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'eth_blockNumber',
      'switchyard.chain': 'ethereum',
      'switchyard.transport': 'http',
      'switchyard.upstream': 'slow-a',
    });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.parentSpanId).toBe(server!.spanId);
    expect(attempts[0]!.attributes).toMatchObject({
      'switchyard.upstream': 'slow-a',
      'switchyard.attempt.kind': 'primary',
      'switchyard.outcome': 'ok',
    });
    const domains = attempts[0]!.attributes['switchyard.failure_domains'] as string[];
    expect(domains.some((d) => d.includes('aws'))).toBe(true);
    expect(domains.some((d) => d.includes('us-east-1'))).toBe(true);
    expect(receiver.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
  });

  it('says why an attempt was a retry, and marks the failed one', async () => {
    const traceId = hex(32);
    const address = `0x${'11'.repeat(20)}`;
    const res = await post(cli, call('eth_getBalance', [address, 'latest']), {
      traceparent: `00-${traceId}-${hex(16)}-01`,
    });
    expect(res.text).toContain('"result"');
    const spans = await receiver.trace(traceId, 3);
    const server = spans.find((s) => s.kind === 2)!;
    const attempts = spans.filter((s) => s.kind === 3);
    expect(attempts.map((s) => s.attributes['switchyard.upstream'])).toEqual(['slow-a', 'fast-b']);
    for (const a of attempts) expect(a.parentSpanId).toBe(server.spanId);
    const [failed, retry] = attempts as [ReceivedSpan, ReceivedSpan];
    expect(failed.attributes['switchyard.outcome']).toBe('upstream_error');
    expect(failed.status.code).toBe(2);
    expect(retry.attributes['switchyard.attempt.kind']).toBe('retry');
    expect(retry.attributes['switchyard.attempt.reason']).toMatch(/^retry: slow-a answered upstream_error/);
    expect(retry.attributes['switchyard.outcome']).toBe('ok');
    expect(server.attributes['switchyard.upstream']).toBe('fast-b');
  });

  it('says why an attempt was a hedge', async () => {
    await slow.setFault({ kind: 'slow', extraMs: 1200 });
    try {
      const traceId = hex(32);
      const res = await post(cli, call('eth_getCode', [`0x${'22'.repeat(20)}`, 'latest']), {
        traceparent: `00-${traceId}-${hex(16)}-01`,
      });
      expect(res.text).toContain('"result"');
      const spans = await receiver.trace(traceId, 3);
      const hedge = spans.find((s) => s.attributes['switchyard.attempt.kind'] === 'hedge');
      expect(hedge, JSON.stringify(spans.map((s) => s.attributes))).toBeDefined();
      expect(hedge!.attributes['switchyard.upstream']).toBe('fast-b');
      expect(hedge!.attributes['switchyard.attempt.reason']).toMatch(/^hedge: no answer within \d+ ms/);
    } finally {
      await slow.setFault({ kind: 'none' });
    }
  });

  it('traces WebSocket calls under the upgrade request traceparent', async () => {
    const traceId = hex(32);
    const parent = hex(16);
    const ws = new WebSocket(`ws://127.0.0.1:${cli.port}/ethereum`, {
      headers: { traceparent: `00-${traceId}-${parent}-01` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answer = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    ws.send(call('eth_chainId'));
    expect(await answer).toContain('"result":"0x1"');
    ws.close();
    const spans = await receiver.trace(traceId, 2);
    const server = spans.find((s) => s.kind === 2)!;
    expect(server.parentSpanId).toBe(parent);
    expect(server.attributes['switchyard.transport']).toBe('websocket');
    expect(spans.filter((s) => s.kind === 3 && s.parentSpanId === server.spanId)).toHaveLength(1);
  });

  it('honours sampleRate and the client sampling decision', async () => {
    const unsampled = hex(32);
    await post(cli, call('eth_blockNumber'), { traceparent: `00-${unsampled}-${hex(16)}-00` });
    await post(cli, call('eth_blockNumber'));
    const marker = hex(32);
    await post(cli, call('eth_blockNumber'), { traceparent: `00-${marker}-${hex(16)}-01` });
    await receiver.trace(marker, 2);
    // Spans arrive in batches in order: once the marker's are in, the earlier calls' would be too.
    expect(receiver.spans.filter((s) => s.traceId === unsampled)).toHaveLength(0);
    // sampleRate 0: the call without a traceparent started no trace of its own (no root call span).
    const calls = receiver.spans.filter((s) => s.kind === 2);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.filter((s) => s.parentSpanId === undefined)).toHaveLength(0);
  });
});

describe('without tracing', () => {
  it('loads nothing of it; with tracing the same process loads OpenTelemetry', async () => {
    const plain = await startCli(['--config', writeConfig('plain.yaml', '')], {
      NODE_OPTIONS: `--import=${WATCH}`,
    });
    clis.push(plain);
    expect(
      (await post(plain, call('eth_blockNumber'), { traceparent: `00-${hex(32)}-${hex(16)}-01` })).status,
    ).toBe(200);
    expect(plain.output()).not.toContain('module-watch:');
    plain.child.kill('SIGTERM');
    expect(await plain.exit, plain.output()).toBe(0);

    const traced = await startCli(
      ['--config', writeConfig('watched.yaml', `tracing: { otlp: "${receiver.url}" }`)],
      {
        NODE_OPTIONS: `--import=${WATCH}`,
      },
    );
    clis.push(traced);
    expect(traced.output()).toMatch(/module-watch: .*@opentelemetry\/sdk-trace-base/);
    // An answer first: the CLI installs its SIGTERM handler just after the "listening" line.
    expect((await post(traced, call('eth_blockNumber'))).status).toBe(200);
    traced.child.kill('SIGTERM');
    expect(await traced.exit, traced.output()).toBe(0);
  });
});

describe('a tracing misconfiguration', () => {
  it('is a config error naming the key and the file (switchyard check and start), never the URL', async () => {
    const cases = [
      [
        'tracing: { otlp: "collector:4318/sekrit" }',
        "tracing.otlp: expected the collector's http(s) base URL",
      ],
      [
        'tracing: { otlp: "http://c/?key=sekrit" }',
        "tracing.otlp: expected the collector's http(s) base URL",
      ],
      ['tracing: { otlp: "http://c", sampleRate: 1.5 }', 'tracing.sampleRate: expected a number from 0 to 1'],
      ['tracing: { otlp: "http://c", sampleRate: -1 }', 'tracing.sampleRate: expected a number from 0 to 1'],
    ] as const;
    const run = promisify(execFile);
    await Promise.all(
      cases.map(async ([tracing, message], i) => {
        const file = writeConfig(`bad-tracing-${i}.yaml`, tracing);
        for (const args of [
          ['check', '--config', file],
          ['--config', file],
        ]) {
          const err = (await run(process.execPath, [MAIN, ...args]).catch((e: unknown) => e)) as {
            code: number;
            stderr: string;
          };
          expect(err.code, `${args[0]} ${tracing}`).toBe(1);
          expect(err.stderr, tracing).toContain(`config error: ${file}: ${message}`);
          expect(err.stderr).not.toContain('sekrit');
        }
      }),
    );
  });
});
