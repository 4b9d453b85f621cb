// The simulated chain's encodings: quantities as 0x hex, ids as sha256 hex (shared by the chain and its logs).
import { createHash } from 'node:crypto';

export type Hex = `0x${string}`;

export function toQuantity(n: number | bigint): Hex {
  return `0x${n.toString(16)}`;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}
