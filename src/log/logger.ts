// Structured logs: one JSON object per line on stdout. Every line is scrubbed of known secrets
// (values substituted from the environment, secret parts of upstream URLs) before it is written.
import { scrubSecrets } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Adds secrets to scrub (e.g. after a config reload). */
  addSecrets(secrets: readonly string[]): void;
}

export function createLogger(
  level: LogLevel,
  secrets: readonly string[] = [],
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const known = new Set(secrets);
  let list = [...known];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields });
    write(`${scrubSecrets(line, list)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    addSecrets(more) {
      for (const s of more) known.add(s);
      list = [...known];
    },
  };
}

export const silentLogger: Logger = createLogger('error', [], () => {});
