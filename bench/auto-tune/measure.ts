// The auto-tune scenario (issue 24): a fake provider that throttles above 50 requests a second
// (-32005, no Retry-After) and a slower steady one, Switchyard (its defaults: routing.autoTune on) in
// front, pinned to core 0, and an open loop of reads at 150 a second for the run. Each second: what
// the throttling provider was sent and how much of it it throttled, what the steady one took, and the
// reads that failed. Fakes and load on this process (core 1).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { ChainSim, startFakeProvider } from '../../src/simulation/index.js';
import { hasTool } from '../proc/sys.js';
import { switchyardMain } from '../targets/switchyard.js';

export interface AutoTuneTiming {
  seconds: number;
  readsPerSecond: number;
  limitPerSecond: number;
  /** Seconds left out of the settled figures (the first throttling answers and the tuner's descent). */
  settleSeconds: number;
}

export const FULL_AUTO_TUNE_TIMING: AutoTuneTiming = {
  seconds: 60,
  readsPerSecond: 150,
  limitPerSecond: 50,
  settleSeconds: 10,
};
export const QUICK_AUTO_TUNE_TIMING: AutoTuneTiming = { ...FULL_AUTO_TUNE_TIMING, seconds: 20 };

interface AutoTuneSecond {
  second: number;
  /** Requests the throttling provider received (admitted + throttled), health probes included. */
  sentToThrottler: number;
  throttled: number;
  sentToSteady: number;
  reads: number;
  failedReads: number;
}

export interface AutoTuneResult {
  timing: AutoTuneTiming;
  perSecond: AutoTuneSecond[];
  settled: { ratePerSecond: number; throttledShare: number; failedReads: number };
  total: { reads: number; failedReads: number; throttled: number; sentToThrottler: number };
  /** The first failed reads' answers (cut short), to say why they failed. */
  failures: string[];
  /** Rate the tuner settled on at the end, from /status. */
  tunedRate: number | null;
  config: string;
}

function startSwitchyard(file: string): Promise<{ child: ChildProcess; url: string }> {
  const node = [process.execPath, switchyardMain(), '--config', file];
  const [cmd, ...args] = hasTool('taskset') ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('switchyard did not start within 15 s')), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /"msg":"listening"[^\n]*"port":(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}` });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard exited with ${code}`));
    });
  });
}

export async function measureAutoTune(timing: AutoTuneTiming, work: string): Promise<AutoTuneResult> {
  mkdirSync(work, { recursive: true });
  const chain = new ChainSim({ chainId: 1 });
  const throttler = await startFakeProvider({
    name: 'throttler',
    chain,
    latencyMs: 2,
    throttleAbove: { perSecond: timing.limitPerSecond, style: 'rpc-32005' },
  });
  const steady = await startFakeProvider({ name: 'steady', chain, latencyMs: 15 });
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    cache: { enabled: false },
    chains: [
      {
        name: 'ethereum',
        chainId: 1,
        upstreams: [
          { name: 'throttler', url: throttler.url, provider: 'cheap', region: 'a' },
          { name: 'steady', url: steady.url, provider: 'other', region: 'b' },
        ],
      },
    ],
  };
  const file = join(work, 'switchyard-auto-tune.json');
  writeFileSync(file, JSON.stringify(config, null, 1));
  const { child, url } = await startSwitchyard(file);
  const pool = new Pool(url, { connections: 128 });
  const window = throttler.rateWindow!;
  const perSecond: AutoTuneSecond[] = [];
  let reads = 0;
  let failed = 0;
  const failures: string[] = [];
  let last = {
    admitted: window.admitted,
    throttled: window.throttled,
    steady: steady.stats.requests,
    reads,
    failed,
  };
  const sample = () => {
    const now = {
      admitted: window.admitted,
      throttled: window.throttled,
      steady: steady.stats.requests,
      reads,
      failed,
    };
    perSecond.push({
      second: perSecond.length + 1,
      sentToThrottler: now.admitted - last.admitted + now.throttled - last.throttled,
      throttled: now.throttled - last.throttled,
      sentToSteady: now.steady - last.steady,
      reads: now.reads - last.reads,
      failedReads: now.failed - last.failed,
    });
    last = now;
  };
  const sampler = setInterval(sample, 1000);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const count = timing.seconds * timing.readsPerSecond;
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / timing.readsPerSecond - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = `{"jsonrpc":"2.0","id":${i},"method":"eth_getBalance","params":["0x${(i % 4096).toString(16).padStart(40, '0')}","latest"]}`;
    pending.push(
      pool
        .request({ path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (res) => {
          const text = await res.body.text();
          reads++;
          if (res.statusCode !== 200 || !text.includes('"result"')) {
            failed++;
            if (failures.length < 10) failures.push(`${res.statusCode} ${text.slice(0, 200)}`);
          }
        })
        .catch((err: unknown) => {
          reads++;
          failed++;
          if (failures.length < 10) failures.push(String(err).slice(0, 200));
        }),
    );
  }
  await Promise.all(pending);
  clearInterval(sampler);
  sample();
  let tunedRate: number | null = null;
  try {
    const status = (await (await fetch(`${url}/status`)).json()) as {
      chains: { upstreams: { name: string; limits?: { tunedRate: number | null } }[] }[];
    };
    tunedRate = status.chains[0]?.upstreams.find((u) => u.name === 'throttler')?.limits?.tunedRate ?? null;
  } catch {}
  await pool.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await Promise.all([throttler.close(), steady.close()]);
  chain.stop();
  const settled = perSecond.slice(timing.settleSeconds, timing.seconds);
  const sum = (xs: AutoTuneSecond[], k: keyof AutoTuneSecond) => xs.reduce((n, s) => n + s[k], 0);
  const settledSent = sum(settled, 'sentToThrottler');
  return {
    timing,
    perSecond,
    settled: {
      ratePerSecond: settled.length ? settledSent / settled.length : 0,
      throttledShare: settledSent ? sum(settled, 'throttled') / settledSent : 0,
      failedReads: sum(settled, 'failedReads'),
    },
    total: {
      reads,
      failedReads: failed,
      throttled: sum(perSecond, 'throttled'),
      sentToThrottler: sum(perSecond, 'sentToThrottler'),
    },
    failures,
    tunedRate,
    config: JSON.stringify(config, null, 1),
  };
}
