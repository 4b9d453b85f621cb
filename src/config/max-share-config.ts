// `routing.maxShare`: the most of a chain's attempts one cloud or one provider may take (src/routing/share-caps.ts).
import type { Node } from './config-values.js';

export interface MaxShare {
  /** Fraction in (0, 1]; undefined: no cap on clouds. */
  cloud: number | undefined;
  /** Fraction in (0, 1]; undefined: no cap on providers. */
  provider: number | undefined;
}

function fraction(node: Node): number | undefined {
  if (node.missing) return undefined;
  // Numeric text comes from ${VAR} substitution, which always yields strings.
  const v =
    typeof node.value === 'string' && /^\d+(\.\d+)?$/.test(node.value) ? Number(node.value) : node.value;
  if (typeof v !== 'number' || !(v > 0 && v <= 1))
    node.fail('expected a fraction above 0 and at most 1, e.g. 0.5');
  return v;
}

export function readMaxShare(node: Node): MaxShare {
  const caps = node.object(['cloud', 'provider']);
  return { cloud: fraction(caps.child('cloud')), provider: fraction(caps.child('provider')) };
}
