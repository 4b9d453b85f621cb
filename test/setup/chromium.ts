// vitest global setup: the dashboard test drives Debian's chromium. On a fresh machine `npm test`
// installs it (apt-get, as root) so the README's test command needs no other step.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.warn(`chromium not found at ${path} and cannot be installed here: the dashboard test will fail`);
    return;
  }
  console.log('installing Debian chromium for the dashboard test (apt-get install chromium)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'inherit' });
}
