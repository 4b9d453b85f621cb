// Containers on the CI machine (issue 24, part 5): podman with runc (crun refuses this host's hybrid
// cgroup layout), ulimits capped at the host's hard limits, --init so SIGTERM reaches node, and a base
// image built here (no image registry is reachable): Debian bookworm minbase from mmdebstrap, imported
// with `podman import`, plus the runner's own Node and npm, a `node` user (uid 1000) as in the official
// image, and the runner's CA bundle for npm's proxy. Both images are tagged by a hash of what went into
// them, so later runs reuse them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RUNTIME = ['--runtime', 'runc'];

/** What this machine lacks to build and run the image; empty when it has it all. */
export async function missingForContainers(): Promise<string[]> {
  const missing: string[] = [];
  for (const tool of ['podman', 'runc', 'mmdebstrap']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.push(`${tool} (apt-get install -y ${tool})`);
    }
  }
  if (missing.length === 0) {
    try {
      await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 60_000);
    } catch (err) {
      missing.push(`a working podman (podman info failed: ${String(err).slice(0, 200)})`);
    }
  }
  return missing;
}

export async function podman(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('podman', [...RUNTIME, ...args], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

export async function imageExists(tag: string): Promise<boolean> {
  try {
    await run('podman', ['image', 'exists', tag]);
    return true;
  } catch {
    return false;
  }
}

/** `nofile` and `nproc` for `podman run`: the host's hard limit on open files, nproc 32768. */
export function ulimitArgs(): string[] {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
  const nofile = hard && hard !== 'unlimited' ? hard : '1048576';
  return ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', 'nproc=32768:32768'];
}

/** The runner's CA bundle: NODE_EXTRA_CA_CERTS, npm's cafile and the system bundle, joined. */
async function caBundle(): Promise<string> {
  const files = new Set<string>();
  if (process.env.NODE_EXTRA_CA_CERTS) files.add(process.env.NODE_EXTRA_CA_CERTS);
  try {
    const { stdout } = await run('npm', ['config', 'get', 'cafile']);
    const cafile = stdout.trim();
    if (cafile && cafile !== 'null' && cafile !== 'undefined') files.add(cafile);
  } catch {
    // npm without a cafile: the system bundle below is enough.
  }
  files.add('/etc/ssl/certs/ca-certificates.crt');
  return [...files]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

async function npmDir(): Promise<string> {
  const { stdout } = await run('npm', ['root', '-g']);
  return join(stdout.trim(), 'npm');
}

const BASE_CONTAINERFILE = `FROM MINBASE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY runner-ca.crt /usr/local/share/ca-certificates/runner-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && mkdir -p /usr/local/etc \\
 && echo 'cafile=/usr/local/share/ca-certificates/runner-ca.crt' > /usr/local/etc/npmrc \\
 && echo 'node:x:1000:1000:node:/home/node:/bin/sh' >> /etc/passwd \\
 && echo 'node:x:1000:' >> /etc/group \\
 && mkdir -p /home/node && chown 1000:1000 /home/node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/runner-ca.crt
`;

export interface BaseImage {
  tag: string;
  /** Whether this call built it (false: reused from an earlier run). */
  built: boolean;
  seconds: { minbase: number; import: number; build: number };
}

/** The Node base image for the Dockerfile's NODE_IMAGE, built unless one with the same inputs exists. */
export async function nodeBaseImage(log: (line: string) => void): Promise<BaseImage> {
  const seconds = { minbase: 0, import: 0, build: 0 };
  const minbase = 'localhost/switchyard-ci-minbase:bookworm';
  const ca = await caBundle();
  const npm = await npmDir();
  const npmVersion = JSON.parse(readFileSync(join(npm, 'package.json'), 'utf8')).version as string;
  const hash = createHash('sha256')
    .update(`${process.version}\n${npmVersion}\n${BASE_CONTAINERFILE}\n${ca}`)
    .digest('hex')
    .slice(0, 16);
  const tag = `localhost/switchyard-ci-node:${hash}`;
  if (await imageExists(tag)) return { tag, built: false, seconds };
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-base-'));
  try {
    if (!(await imageExists(minbase))) {
      let t = performance.now();
      log('mmdebstrap --variant=minbase bookworm (Debian packages through apt)');
      await run('mmdebstrap', ['--variant=minbase', 'bookworm', join(dir, 'rootfs.tar')], {
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      seconds.minbase = (performance.now() - t) / 1000;
      t = performance.now();
      await podman(['import', join(dir, 'rootfs.tar'), minbase]);
      seconds.import = (performance.now() - t) / 1000;
      rmSync(join(dir, 'rootfs.tar'));
    }
    const t = performance.now();
    cpSync(process.execPath, join(dir, 'node'));
    cpSync(npm, join(dir, 'npm'), { recursive: true, dereference: true });
    writeFileSync(join(dir, 'runner-ca.crt'), ca);
    writeFileSync(join(dir, 'Containerfile'), BASE_CONTAINERFILE.replace('MINBASE', minbase));
    log(`building ${tag}: the runner's Node ${process.version}, npm ${npmVersion}, CA bundle, user node`);
    await podman(['build', '--format', 'docker', '-t', tag, dir], 300_000);
    seconds.build = (performance.now() - t) / 1000;
    return { tag, built: true, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Files the Dockerfile copies: the real image is rebuilt only when one of them changed. */
const CONTEXT = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'config.example.yaml'];
const CONTEXT_DIRS = ['src', 'routes', 'health', 'bench'];

/** A tag for the image built from `root` on `base`: the hash of every file the build reads. */
export async function contextTag(root: string, base: string): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-C', root, 'ls-files', '-co', '--exclude-standard', ...CONTEXT, ...CONTEXT_DIRS],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const hash = createHash('sha256').update(base);
  for (const file of stdout.split('\n').filter(Boolean).sort()) {
    if (!existsSync(join(root, file))) continue;
    hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  }
  return `localhost/switchyard-ci:${hash.digest('hex').slice(0, 16)}`;
}
