// The sidecar files hold together (no Docker engine here, so the image itself is not built by tests):
// the Dockerfile is multi-stage, non-root, on Node 20, with a node-based HEALTHCHECK; everything it
// copies exists and is not excluded by .dockerignore; the compose example mounts a config file that
// is valid once the environment variables it passes are set, and passes every ${VAR} that file uses.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { ROOT } from '../helpers/ops.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('is multi-stage on a Node 20 image, and the final stage runs as a non-root user', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    // Both stages on NODE_IMAGE, whose default is the official Node 20 image (CI passes a local one).
    const base = instructions.find((l) => l.startsWith('ARG NODE_IMAGE='));
    expect(base).toMatch(/^ARG NODE_IMAGE=node:20[-.\w]*$/);
    for (const f of froms) expect(f).toMatch(/^FROM \$\{NODE_IMAGE\}( AS \w+)?$/);
    const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
    const user = finalStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    // The runtime stage takes the compiled output from the build stage, not the TypeScript sources.
    expect(finalStage.some((l) => /^COPY --from=build .*dist/.test(l))).toBe(true);
    expect(finalStage.some((l) => /^COPY (src|routes|health)\b/.test(l))).toBe(false);
  });

  it('has a HEALTHCHECK on /healthz that uses node itself, not curl or wget', () => {
    const hc = instructions.find((l) => l.startsWith('HEALTHCHECK '));
    expect(hc).toBeDefined();
    expect(hc).toContain('"node"');
    expect(hc).toContain('/healthz');
    expect(hc).not.toMatch(/curl|wget/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const sources = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources).toContain('package-lock.json');
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), src).toBe(true);
      expect(ignored, src).not.toContain(src);
    }
    for (const secretish of ['.env', 'node_modules', 'dist', '.git']) expect(ignored).toContain(secretish);
  });

  it('runs the CLI with a mounted config path as its entry point', () => {
    expect(instructions).toContain('ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/src/main.js"]');
    expect(instructions.find((l) => l.startsWith('CMD '))).toContain('/etc/switchyard/config.yaml');
  });
});

describe('docker-compose.example.yml', () => {
  const compose = parse(read('docker-compose.example.yml')) as {
    services: Record<
      string,
      {
        volumes: string[];
        environment: Record<string, string>;
        stop_grace_period: string;
        healthcheck: { test: string[] };
      }
    >;
  };
  const svc = compose.services.switchyard!;

  it('mounts the config from a file, read-only, and passes secrets from the environment', () => {
    const mount = svc.volumes.find((v) => v.endsWith(':/etc/switchyard/config.yaml:ro'));
    expect(mount).toBeDefined();
    const file = mount!.split(':')[0]!;
    expect(existsSync(join(ROOT, file))).toBe(true);
    for (const value of Object.values(svc.environment)) expect(value).toMatch(/^\$\{[A-Z_]+:\?/);
    expect(svc.healthcheck.test.join(' ')).toContain('/healthz');
  });

  it('the mounted config is valid with the variables compose passes, and needs no others', () => {
    const file = svc.volumes.find((v) => v.endsWith(':/etc/switchyard/config.yaml:ro'))!.split(':')[0]!;
    const env = Object.fromEntries(
      Object.keys(svc.environment).map((k) => [k, `test-${k.toLowerCase()}-value`]),
    );
    const config = loadConfig(join(ROOT, file), env);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.security.apiKeys.length).toBeGreaterThan(0);
    // The substituted values are secrets: the logger scrubs them.
    for (const value of Object.values(env)) expect(config.secrets).toContain(value);
    // Missing one: loading names the variable.
    const [first] = Object.keys(env);
    expect(() => loadConfig(join(ROOT, file), { ...env, [first!]: undefined })).toThrow(first!);
  });

  it('gives the container longer to stop than the config gives requests to drain', () => {
    const file = svc.volumes.find((v) => v.endsWith(':/etc/switchyard/config.yaml:ro'))!.split(':')[0]!;
    const env = Object.fromEntries(Object.keys(svc.environment).map((k) => [k, 'value-0123']));
    const grace = loadConfig(join(ROOT, file), env).server.shutdownGraceMs;
    expect(Number.parseInt(svc.stop_grace_period, 10) * 1000).toBeGreaterThan(grace);
  });
});

describe('node flags', () => {
  // The bin's #! line is where they live; every other way of starting the balancer repeats them.
  const shebang = read('src/main.ts').split('\n', 1)[0]!;
  const flags = /^#!\/usr\/bin\/env -S node( --[\w-]+(=\S+)?)*$/.exec(shebang)?.[0].split(' ').slice(3) ?? [];

  it('the bin starts node through env -S with its flags, and the build leaves it executable', () => {
    expect(flags.length).toBeGreaterThan(0);
    // npx runs a bin whose #! line is not a bare `env node` only when it is executable.
    expect(statSync(join(ROOT, 'dist/src/main.js')).mode & 0o111).toBe(0o111);
  });

  it('npm start and the Dockerfile pass the same flags, and the bench reads them from the built bin', async () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toBe(`node ${flags.join(' ')} dist/src/main.js --config config.example.yaml`);
    const entry = instructions.find((l) => l.startsWith('ENTRYPOINT '))!;
    expect(JSON.parse(entry.slice('ENTRYPOINT '.length))).toEqual(['node', ...flags, 'dist/src/main.js']);
    const { switchyardNodeFlags } = await import('../../bench/targets/switchyard.js');
    expect(switchyardNodeFlags(join(ROOT, 'dist/src/main.js'))).toEqual(flags);
  });
});
