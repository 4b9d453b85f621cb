// Debian's chromium driven by playwright-core for the dashboard tests: where it is, why it is missing
// (a missing browser fails the tests, it never skips them), and a headless launch on a fresh profile.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser cannot start here, or undefined when it can. */
function chromiumMissing(): Error | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return new Error(
    `chromium not found at ${CHROMIUM}: the dashboard browser tests need Debian's chromium ` +
      '(apt-get install -y chromium; .ci/run installs it) or CHROMIUM_PATH pointing at a Chromium binary',
  );
}

/** For a test file: `missing` skips the browser setup, `need()` fails each test with the reason. */
export function browserGate() {
  const missing = chromiumMissing();
  return {
    missing,
    need(): void {
      if (missing) throw missing;
    },
  };
}

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 15_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
