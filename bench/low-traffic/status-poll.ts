// Polls Switchyard's GET /status (one request at a time, every ~20 ms from just before the fault)
// and keeps, per answer, the state of the fault's failure domain and `usable` of each hit member: the
// second detection signal next to the domain_open log line, and the "back in rotation" signal after
// the heal. Each answer costs Switchyard about 0.5 ms of CPU, the bench process as much: before the
// fault, where no signal is wanted, it polls every SPARSE_MS only.
import { epochMs, sleep } from '../load/stats.js';
import type { StatusPoll } from './analyze.js';

interface StatusDoc {
  chains?: {
    domains?: { key?: unknown; state?: unknown }[];
    upstreams?: { name?: unknown; usable?: unknown }[];
  }[];
}

/** The domain's state and the hit members' `usable` in one /status document (chains[0]). */
export function readStatus(doc: unknown, domain: string, hit: string[]): Omit<StatusPoll, 'atMs'> {
  const chain = (doc as StatusDoc | undefined)?.chains?.[0];
  const d = chain?.domains?.find((x) => x.key === domain);
  const usable: Record<string, boolean> = {};
  for (const u of chain?.upstreams ?? []) {
    if (typeof u.name === 'string' && hit.includes(u.name)) usable[u.name] = u.usable === true;
  }
  return { domainState: typeof d?.state === 'string' ? d.state : null, usable };
}

/** The poll interval until denseFrom(). */
const SPARSE_MS = 250;

export interface StatusPoller {
  readonly polls: StatusPoll[];
  /** Polls every `everyMs` from this epoch ms on (every SPARSE_MS before). */
  denseFrom(atMs: number): void;
  /** Answers that failed or did not parse (Switchyard busy or gone). */
  readonly errors: number;
  stop(): Promise<void>;
}

export function startStatusPoll(
  status: () => Promise<unknown>,
  domain: string,
  hit: string[],
  everyMs: number,
): StatusPoller {
  const polls: StatusPoll[] = [];
  let errors = 0;
  let running = true;
  let denseFromMs = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    while (running) {
      const sentMs = epochMs();
      try {
        const doc = await status();
        polls.push({ atMs: epochMs(), ...readStatus(doc, domain, hit) });
      } catch {
        errors++;
      }
      const next =
        sentMs >= denseFromMs
          ? sentMs + everyMs
          : Math.min(sentMs + SPARSE_MS, Math.max(sentMs + everyMs, denseFromMs));
      await sleep(Math.max(0, next - epochMs()));
    }
  })();
  return {
    polls,
    get errors() {
      return errors;
    },
    denseFrom(atMs) {
      denseFromMs = atMs;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
