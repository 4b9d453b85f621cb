// A real redis-server (Debian package redis-server) for the fleet tests: on a free loopback port, no
// persistence, spawned and killed by pid. restart() brings it back on the same port, empty.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  readonly pid: number | undefined;
  /** SIGKILL by pid: Redis disappears under the members, as in a crash or a partition. */
  kill(): Promise<void>;
  /** SIGSTOP by pid: connections stay open and nothing answers, as behind a partition or a stall. */
  pause(): void;
  /** SIGCONT by pid. */
  resume(): void;
  /** Starts it again on the same port (with no data: nothing was persisted). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start: ${out.slice(-500)}`));
    }, 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cannot run ${REDIS_SERVER} (${err.message}): the fleet tests need Debian's redis-server ` +
            '(apt-get install -y redis-server; .ci/run installs it)',
        ),
      );
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(child);
    });
  });
}

function killByPid(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid, signal);
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child = await spawnRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid;
    },
    kill: () => killByPid(child, 'SIGKILL'),
    pause: () => process.kill(child.pid!, 'SIGSTOP'),
    resume: () => process.kill(child.pid!, 'SIGCONT'),
    restart: async () => {
      await killByPid(child, 'SIGKILL');
      child = await spawnRedis(port);
    },
    stop: async () => {
      // A paused server would not act on SIGTERM.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGCONT');
      await killByPid(child, 'SIGTERM');
    },
  };
}
