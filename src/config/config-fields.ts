// A config section read from a table of its keys: each key of the section's type names its YAML key
// and how that is read, so the allowed keys (in error messages, in this order) come from the same
// table as the values instead of a second list that could drift.
import type { Node } from './config-values.js';

/** One key: its name in the YAML and the reader of its node (`section`: the checked mapping it is in). */
export interface Field<T> {
  readonly key: string;
  readonly read: (node: Node, section: Node) => T;
}

export type Fields<T> = { readonly [K in keyof T]-?: Field<T[K]> };

export function field<T>(key: string, read: (node: Node, section: Node) => T): Field<T> {
  return { key, read };
}

/** Checks the mapping has only the fields' keys, then reads each field in the table's order. */
export function readSection<T>(node: Node, fields: Fields<T>): T {
  const names = Object.keys(fields) as (keyof T)[];
  const section = node.object(names.map((name) => fields[name].key));
  const value: Partial<T> = {};
  for (const name of names) value[name] = fields[name].read(section.child(fields[name].key), section);
  return value as T;
}
