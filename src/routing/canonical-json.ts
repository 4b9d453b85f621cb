// The canonical form of a JSON answer, for comparing a shadow upstream's answer with the one served:
// object keys sorted, hex strings lower-cased (providers differ in case and key order, not in meaning).

export function canonicalJson(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(/^0x[0-9a-f]*$/i.test(value) ? value.toLowerCase() : value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
