// The package's entry points as an installed user gets them: `switchyard` and `switchyard/viem`
// resolve through the exports map (Node's self-reference, from the built dist/), with their types,
// and viem stays an optional peer dependency (the core library never loads it).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/ops.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional: boolean }>;
};

async function evalModule(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
  return stdout.trim();
}

describe('package entry points', () => {
  it('exports "." and "./viem" with types, and keeps the bin', () => {
    expect(pkg.bin.switchyard).toBe('dist/src/main.js');
    for (const entry of ['.', './viem']) {
      const target = pkg.exports[entry]!;
      expect(existsSync(join(ROOT, target.types)), target.types).toBe(true);
      expect(existsSync(join(ROOT, target.default)), target.default).toBe(true);
    }
  });

  it("import 'switchyard' gives createSwitchyard", async () => {
    const out = await evalModule(
      "const m = await import('switchyard');" +
        'console.log(typeof m.createSwitchyard, typeof m.SwitchyardRpcError, typeof m.ConfigError)',
    );
    expect(out).toBe('function function function');
  });

  it("nothing 'switchyard' imports, statically or lazily, imports viem", () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else bare.add(spec.split('/')[0]!);
      }
    };
    visit(join(ROOT, pkg.exports['.']!.default));
    expect(seen.size).toBeGreaterThan(10);
    expect([...bare]).not.toContain('viem');
  });

  it("import 'switchyard/viem' gives the transport factory", async () => {
    expect(
      await evalModule("const m = await import('switchyard/viem'); console.log(typeof m.switchyard)"),
    ).toBe('function');
  });

  it('viem is an optional peer dependency, not a dependency', () => {
    expect(pkg.dependencies.viem).toBeUndefined();
    expect(pkg.peerDependencies.viem).toBeDefined();
    expect(pkg.peerDependenciesMeta.viem?.optional).toBe(true);
  });
});
