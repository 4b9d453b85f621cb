// `${VAR}` and `${VAR:-default}` in config strings come from the environment. Substituted values are
// returned as secrets: they are typically API keys, so the logger scrubs them everywhere.
import { ConfigError } from './config-values.js';

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Shorter values are too likely to appear by chance in log text to be worth scrubbing. */
const MIN_SECRET_LENGTH = 4;

export function interpolateEnv(
  raw: unknown,
  file: string,
  env: NodeJS.ProcessEnv,
): { value: unknown; secrets: string[] } {
  const secrets = new Set<string>();
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      return value.replace(PATTERN, (_match, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') {
          if (found.length >= MIN_SECRET_LENGTH) secrets.add(found);
          return found;
        }
        if (fallback !== undefined) return fallback;
        throw new ConfigError(file, path || '(root)', `environment variable ${name} is not set`);
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, path ? `${path}.${k}` : k);
      return out;
    }
    return value;
  };
  return { value: walk(raw, ''), secrets: [...secrets] };
}
