// The demo's dashboard fault controls in a real headless browser (Debian's chromium driven by
// playwright-core, as in ops-dashboard.test.ts), against `switchyard demo` started through its CLI:
// clicking "hang" on aws/us-east-1 opens that region on the page while reads go on, clicking "heal"
// brings it back, and the share bars show each cloud and provider against its cap.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browserGate, launchChromium } from '../helpers/chromium.js';
import { type Cli, startCli } from '../helpers/ops.js';

const AWS = 'region:aws/us-east-1';

let demo: Cli | undefined;
let base: string;
let browser: Browser | undefined;
let page: Page;
/** A missing browser fails every test with the reason; it is never a skip. */
const gate = browserGate();
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (gate.missing) return;
  demo = await startCli(['demo', '--port', '0'], {}, /Ctrl-C stops everything/);
  base = /status\s+(http:\/\/127\.0\.0\.1:\d+)\/status/.exec(demo.output())![1]!;
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  if (demo) {
    demo.child.kill('SIGINT');
    await demo.exit;
  }
});

const domainState = () => page.locator(`[data-domain="${AWS}"]`).getAttribute('data-state');
const shownFault = () =>
  page.locator(`#demo-controls [data-target="${AWS}"] span[data-fault]`).getAttribute('data-fault');

/** Polls `read` until it returns `want` (the page redraws every second), failing after `ms`. */
async function until(read: () => Promise<string | null>, want: string, ms: number): Promise<string | null> {
  const deadline = Date.now() + ms;
  let got = await read();
  while (got !== want && Date.now() < deadline) {
    await page.waitForTimeout(200);
    got = await read();
  }
  return got;
}

describe('demo dashboard fault controls in headless chromium', () => {
  it('shows a control row per region and provider, and the shares against the caps', async () => {
    gate.need();
    await page.goto(`${base}/dashboard`);
    await page.waitForSelector(`#demo-controls [data-target="${AWS}"] button[data-fault="hang"]`, {
      timeout: 5000,
    });
    for (const key of [
      AWS,
      'region:gcp/europe-west1',
      'region:bare-metal/gra',
      'provider:lava',
      'provider:ovh',
    ]) {
      await expect(page.locator(`#demo-controls [data-target="${key}"]`).count()).resolves.toBe(1);
    }
    await page.waitForSelector('[data-cap-by="cloud"]', { timeout: 5000 });
    await expect(page.locator('[data-cap-by="cloud"]').getAttribute('data-cap')).resolves.toBe('0.5');
    await expect(page.locator('[data-cap-by="provider"] .cap-text').textContent()).resolves.toMatch(
      /^cap 40% each · /,
    );
    expect(consoleErrors).toEqual([]);
  });

  it('"hang" opens the region on the page, "heal" brings it back', async () => {
    gate.need();
    await until(domainState, 'closed', 5000);
    await page.click(`#demo-controls [data-target="${AWS}"] button[data-fault="hang"]`);
    expect(await until(shownFault, 'hang', 5000)).toBe('hang');
    // The demo's own gentle load meets the hang; the region's breaker opens within seconds.
    expect(await until(domainState, 'open', 12_000)).toBe('open');
    await expect(page.locator('#banner').textContent()).resolves.toContain(AWS);
    await page.screenshot({ path: join(tmpdir(), 'switchyard-demo-hang.png'), fullPage: true });
    await page.click(`#demo-controls [data-target="${AWS}"] button[data-fault="heal"]`);
    expect(await until(shownFault, 'none', 5000)).toBe('none');
    expect(await until(domainState, 'closed', 12_000)).toBe('closed');
    expect(consoleErrors).toEqual([]);
  }, 40_000);
});
