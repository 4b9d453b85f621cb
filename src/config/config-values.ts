// Typed readers for config values. Each throws ConfigError naming the key path and what was expected,
// so every message reads like `chains[0].upstreams[2].url: expected http(s) URL`.

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly expected: string,
  ) {
    super(`${file}: ${keyPath}: ${expected}`);
  }
}

/** A located value: the reader knows where it came from, for error messages. */
export class Node {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(expected: string): never {
    throw new ConfigError(this.file, this.path || '(root)', expected);
  }

  child(key: string | number): Node {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    const value =
      typeof key === 'number' ? (this.value as unknown[])[key] : (this.value as Record<string, unknown>)[key];
    return new Node(this.file, path, value);
  }

  get missing(): boolean {
    return this.value === undefined || this.value === null;
  }

  /** An object whose keys are all in `allowed`; absent means empty. */
  object(allowed: readonly string[]): this {
    if (this.missing) return new Node(this.file, this.path, {}) as this;
    if (typeof this.value !== 'object' || Array.isArray(this.value)) this.fail('expected a mapping');
    for (const key of Object.keys(this.value as object)) {
      if (!allowed.includes(key)) {
        new Node(this.file, this.path ? `${this.path}.${key}` : key, undefined).fail(
          `unknown key (allowed: ${allowed.join(', ')})`,
        );
      }
    }
    return this;
  }

  list(): Node[] {
    if (this.missing) return [];
    if (!Array.isArray(this.value)) this.fail('expected a list');
    return (this.value as unknown[]).map((_, i) => this.child(i));
  }

  string(fallback?: string): string {
    if (this.missing) return fallback ?? this.fail('required: expected a string');
    if (typeof this.value !== 'string' || this.value.length === 0) this.fail('expected a non-empty string');
    return this.value as string;
  }

  optionalString(): string | undefined {
    return this.missing ? undefined : this.string();
  }

  boolean(fallback: boolean): boolean {
    if (this.missing) return fallback;
    // "true"/"false" text comes from ${VAR} substitution, which always yields strings.
    if (this.value === 'true' || this.value === 'false') return this.value === 'true';
    if (typeof this.value !== 'boolean') this.fail('expected true or false');
    return this.value as boolean;
  }

  number(fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER, integer = true): number {
    if (this.missing) return fallback ?? this.fail('required: expected a number');
    // Numeric text comes from ${VAR} substitution (`port: ${PORT}`), which always yields strings.
    const n =
      typeof this.value === 'string' && /^-?\d+(\.\d+)?$/.test(this.value) ? Number(this.value) : this.value;
    if (
      typeof n !== 'number' ||
      !Number.isFinite(n) ||
      (integer && !Number.isInteger(n)) ||
      n < min ||
      n > max
    ) {
      this.fail(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n as number;
  }

  /** `250ms`, `2s`, `1m`, or a bare number of milliseconds; returns milliseconds. */
  duration(fallbackMs: number, minMs = 0, maxMs = 24 * 3600_000): number {
    if (this.missing) return fallbackMs;
    const ms = parseDuration(this.value);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      this.fail(`expected a duration like "250ms" or "2s" from ${minMs}ms to ${maxMs}ms`);
    }
    return ms;
  }

  /** `512kb`, `5mb`, or a bare number of bytes; returns bytes. */
  size(fallbackBytes: number, min = 1): number {
    if (this.missing) return fallbackBytes;
    const bytes = parseSize(this.value);
    if (bytes === undefined || bytes < min)
      this.fail(`expected a size like "512kb" or "5mb" (at least ${min})`);
    return bytes;
  }

  oneOf<T extends string>(choices: readonly T[], fallback: T): T {
    if (this.missing) return fallback;
    if (!choices.includes(this.value as T)) this.fail(`expected one of ${choices.join(', ')}`);
    return this.value as T;
  }

  stringList(fallback: string[]): string[] {
    if (this.missing) return fallback;
    return this.list().map((n) => n.string());
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function parseWithUnits(value: unknown, units: Record<string, number>): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = units[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

export function parseDuration(value: unknown): number | undefined {
  return parseWithUnits(value, DURATION_UNITS);
}

export function parseSize(value: unknown): number | undefined {
  return parseWithUnits(value, SIZE_UNITS);
}
