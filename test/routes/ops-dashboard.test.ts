// GET /dashboard in a real headless browser (Debian's chromium driven by playwright-core): the page
// loads with no request leaving the balancer's origin, shows every upstream grouped by region, and
// shows a region outage (the domain turns OPEN) after one is injected into the fleet.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import { buildConfig } from '../../src/config/config.js';
import { type Fleet, standardFleet, startFleet } from '../../src/simulation/index.js';
import { postRaw, startBalancer, type TestBalancer } from '../helpers/balancer.js';
import { type Browser, browserGate, launchChromium } from '../helpers/chromium.js';
import { adminCall } from '../helpers/fleet.js';
import { fleetUpstreams, SPREAD_ROUTING, sleep } from '../helpers/ops.js';

const ADMIN_KEY = 'dashboard-admin-key-0123456789';

let fleet: Fleet;
let balancer: TestBalancer | undefined;
let chromiumBrowser: Browser | undefined;
let browser: BrowserContext | undefined;
let page: Page;
/** A missing browser fails every test with the reason; it is never a skip. */
const gate = browserGate();
const foreignRequests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (gate.missing) return;
  fleet = await startFleet({ providers: standardFleet(), blockTimeMs: 500 });
  balancer = await startBalancer(
    {
      server: { host: '127.0.0.1', port: 0 },
      // Default health intervals: live traffic, not a probe, finds the outage and opens the domain.
      // Once open, the region stays open while the page is checked.
      breakers: { domain: { backoff: '30s', maxBackoff: '30s' } },
      // Not a detection test: on a loaded CI machine a 12 ms upstream's learned probe deadline (4 × its
      // latency) can pass while this process drives the browser, and lava-1 would show "down" instead
      // of the cordon note the page is checked for.
      health: { minProbeTimeout: '250ms' },
      routing: SPREAD_ROUTING,
      security: { adminKeys: [ADMIN_KEY] },
      chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
    },
    { operations: true },
  );
  chromiumBrowser = await launchChromium();
  browser = chromiumBrowser.context;
  page = browser.pages()[0] ?? (await browser.newPage());
  const origin = new URL(balancer!.url).origin;
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});

afterAll(async () => {
  await chromiumBrowser?.close();
  await balancer?.close();
  await fleet?.close();
});

const traffic = (n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      postRaw(balancer!.url, `{"jsonrpc":"2.0","id":${i},"method":"eth_blockNumber","params":[]}`),
    ),
  );

describe('GET /dashboard in headless chromium', () => {
  it('loads offline-safe and shows every upstream grouped by region, with share and latency', async () => {
    gate.need();
    await traffic(30);
    const res = await page.goto(`${balancer!.url}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.waitForSelector('[data-upstream="lava-1"]', { timeout: 5000 });
    for (const p of fleet.providers) {
      await expect(page.locator(`[data-upstream="${p.name}"]`).count()).resolves.toBe(1);
    }
    // Regions grouped: both us-east-1 upstreams sit in the aws/us-east-1 group.
    const group = page.locator('[data-region="aws/us-east-1"]');
    await expect(group.locator('[data-upstream]').count()).resolves.toBe(2);
    await expect(group.locator('[data-upstream="aws-use1-a"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-region="gcp/europe-west1"] [data-upstream]').count()).resolves.toBe(2);
    // Domains of every kind are shown, all closed.
    for (const key of ['region:aws/us-east-1', 'provider:alchemy', 'network:lava']) {
      await expect(page.locator(`[data-domain="${key}"]`).getAttribute('data-state')).resolves.toBe('closed');
    }
    const text = await page.locator('main').textContent();
    expect(text).toContain('Traffic by cloud');
    expect(text).toMatch(/aws \d+(\.\d)?%/);
    expect(text).toMatch(/\d+(\.\d)? ms/);
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("shows each chain's subscription feed: its head, subscriptions and the upstreams feeding it", async () => {
    gate.need();
    const client = new NodeWebSocket(`${balancer!.url.replace('http', 'ws')}/ethereum`);
    try {
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      client.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}');
      const feed = page.locator('section[data-chain="ethereum"] .feed');
      const deadline = Date.now() + 8000;
      let text = '';
      while (Date.now() < deadline) {
        text = (await feed.textContent()) ?? '';
        if (/head \d+/.test(text)) break;
        await sleep(100);
      }
      expect(text).toMatch(/Subscription feed: head \d+ · 1 newHeads, 0 logs/);
      expect(text).toContain('lava-1 (poll');
    } finally {
      client.close();
    }
  });

  it("shows an operator's cordon on its domain tile and its upstreams", async () => {
    gate.need();
    const cordon = { target: 'network:lava', reason: 'provider maintenance', ttl: '10m' };
    expect((await adminCall(balancer!.url, 'POST', '/admin/cordon', cordon, ADMIN_KEY)).status).toBe(200);
    const note = 'cordoned by operator: provider maintenance';
    await page.waitForFunction(
      (text) =>
        (
          globalThis as unknown as { document: { body: { textContent: string } } }
        ).document.body.textContent.includes(text),
      note,
      { timeout: 5000 },
    );
    await expect(page.locator('[data-domain="network:lava"]').textContent()).resolves.toContain(note);
    await expect(page.locator('[data-upstream="lava-1"]').textContent()).resolves.toContain(note);
    const lifted = await adminCall(
      balancer!.url,
      'DELETE',
      '/admin/cordon',
      { target: 'network:lava' },
      ADMIN_KEY,
    );
    expect(lifted.status).toBe(200);
    expect(consoleErrors).toEqual([]);
  });

  it('shows a region outage: the domain turns OPEN and its upstreams unusable, updating by itself', async () => {
    gate.need();
    await fleet.setFault({ cloud: 'aws', region: 'us-east-1' }, { kind: 'refuse' });
    const deadline = Date.now() + 8000;
    let state: string | null = null;
    while (Date.now() < deadline) {
      await traffic(10);
      state = await page.locator('[data-domain="region:aws/us-east-1"]').getAttribute('data-state');
      if (state === 'open') break;
      await sleep(100);
    }
    expect(state).toBe('open');
    const tile = page.locator('[data-domain="region:aws/us-east-1"]');
    await expect(tile.textContent()).resolves.toContain('OPEN');
    // Red at a glance: the tile's background is the "bad" red.
    const background = await tile.evaluate(
      (e) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(e).backgroundColor,
    );
    expect(background).toBe('rgb(185, 28, 28)');
    await expect(page.locator('#banner').textContent()).resolves.toContain('region:aws/us-east-1');
    await expect(page.locator('[data-upstream="aws-use1-a"]').getAttribute('data-usable')).resolves.toBe(
      'false',
    );
    await expect(page.locator('[data-upstream="gcp-euw1-a"]').getAttribute('data-usable')).resolves.toBe(
      'true',
    );
    // Other regions stay closed.
    await expect(
      page.locator('[data-domain="region:gcp/europe-west1"]').getAttribute('data-state'),
    ).resolves.toBe('closed');
    await page.screenshot({ path: join(tmpdir(), 'switchyard-dashboard-outage.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('lets a browser dapp on an allowed origin call the balancer cross-origin (CORS preflight with x-api-key)', async () => {
    gate.need();
    const dappOrigin = new URL(balancer!.url).origin;
    const config = (corsOrigins: string[]) => ({
      server: { host: '127.0.0.1', port: 0, corsOrigins },
      security: { apiKeys: [{ name: 'dapp', key: 'dapp-key-0123456789' }] },
      chains: [{ name: 'ethereum', chainId: 1, upstreams: fleetUpstreams(fleet) }],
    });
    const rpcServer = await startBalancer(config([dappOrigin]), { operations: true });
    const tab = await browser!.newPage();
    try {
      // A page on the dapp's origin without a CSP of its own.
      await tab.goto(`${dappOrigin}/healthz`);
      const call = (url: string) =>
        tab.evaluate(async (target) => {
          try {
            const res = await fetch(target, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': 'dapp-key-0123456789' },
              body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
            });
            return {
              status: res.status,
              body: await res.text(),
              upstream: res.headers.get('x-switchyard-upstream'),
            };
          } catch (err) {
            return { error: String(err) };
          }
        }, url);
      const allowed = await call(`${rpcServer.url}/ethereum`);
      expect(allowed).toMatchObject({ status: 200, body: '{"jsonrpc":"2.0","id":1,"result":"0x1"}' });
      // The browser's WebSocket sends its Origin: allowed here too (the key rides in the path).
      const wsCall = (url: string) =>
        tab.evaluate(
          (target) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(target);
              ws.onopen = () => ws.send('{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}');
              ws.onmessage = (m) => {
                resolve(String(m.data));
                ws.close();
              };
              ws.onerror = () => resolve('refused');
            }),
          url,
        );
      const wsTarget = `${rpcServer.url.replace('http', 'ws')}/ethereum/dapp-key-0123456789`;
      expect(await wsCall(wsTarget)).toBe('{"jsonrpc":"2.0","id":2,"result":"0x1"}');
      expect((allowed as { upstream: string | null }).upstream).toBeTruthy();
      await rpcServer.server.reload(buildConfig(config(['https://other.example']), 'test.yaml'));
      const refused = await call(`${rpcServer.url}/ethereum`);
      expect(refused).toEqual({ error: 'TypeError: Failed to fetch' });
      expect(await wsCall(wsTarget)).toBe('refused');
    } finally {
      await tab.close();
      await rpcServer.close();
    }
  });

  it('says so when /status cannot be reached, keeping the last view', async () => {
    gate.need();
    await balancer!.close();
    balancer = undefined;
    await page.waitForFunction(
      () => {
        type Doc = { getElementById(id: string): { textContent: string | null } | null };
        const doc = (globalThis as unknown as { document: Doc }).document;
        return doc.getElementById('conn')?.textContent?.includes('unreachable') === true;
      },
      null,
      { timeout: 5000 },
    );
    await expect(page.locator('[data-upstream="lava-1"]').count()).resolves.toBe(1);
  });
});
