// Reading request params the way these families send them: positional arrays (Solana, Bitcoin) or
// named objects (CometBFT, Bitcoin Core's named arguments).

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** params[index] for an array, params[name] for an object; undefined when absent. */
export function paramAt(params: unknown, index: number, name: string): unknown {
  if (Array.isArray(params)) return params[index];
  if (isRecord(params) && Object.hasOwn(params, name)) return params[name];
  return undefined;
}

/** A param that is absent or explicitly null (both mean "use the default"). */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}
