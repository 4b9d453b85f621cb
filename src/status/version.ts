// The package version, read once from the nearest package.json named switchyard above this file: the
// same code runs from src/ under vitest and from dist/src/ when built, at different depths.
import { readFileSync } from 'node:fs';

function findVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'switchyard' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
    dir = new URL('..', dir);
  }
  return '0.0.0';
}

export const VERSION = findVersion();
