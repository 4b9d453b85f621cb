// A family's method table turned into the answers ChainFamily gives about methods: MethodFacts (the
// EVM-shaped record the dispatcher reads), a bounded metrics label, whether the answer follows the
// head, and whether a successful answer can be cached forever. One table per family, one builder.
import { type MethodFacts, UNKNOWN_FACTS } from './family.js';

/** What a method may do: reads are retried and hedged; heavy reads retried only; writes never resent. */
type FamilyMethodKind = 'read' | 'heavy-read' | 'write';

/** How the answer relates to the chain head: a lagging upstream must not answer 'head' reads. */
type HeadRule = 'head' | 'fixed' | ((params: unknown) => boolean);

export interface FamilyMethod {
  kind: FamilyMethodKind;
  /** 'head': moves with the head; 'fixed': does not; a function: true when these params follow the head. */
  head: HeadRule;
  /**
   * A successful, non-null answer never changes (genesis hash, a finalized block by number). A function
   * decides from params (a verbosity or commitment that adds moving fields such as `confirmations`).
   */
  immutable?: true | ((params: unknown) => boolean);
}

export interface MethodCatalogue {
  methodFacts(method: string): MethodFacts;
  methodLabel(method: string): string;
  isLatestRead(method: string, params: unknown): boolean;
  isImmutableRead(method: string, params: unknown): boolean;
  /** Methods that can be immutable (for some params): see isImmutableRead for the exact rule. */
  immutableMethods: ReadonlySet<string>;
}

// Non-EVM families have no block-tag param and no archive-only state reads: blockParam/state stay empty.
const KIND_FACTS: Record<FamilyMethodKind, MethodFacts> = {
  read: Object.freeze({
    idempotentRead: true,
    hedge: true,
    write: false,
    sticky: undefined,
    state: false,
    blockParam: undefined,
  }),
  'heavy-read': Object.freeze({
    idempotentRead: true,
    hedge: false,
    write: false,
    sticky: undefined,
    state: false,
    blockParam: undefined,
  }),
  write: Object.freeze({
    idempotentRead: false,
    hedge: false,
    write: true,
    sticky: undefined,
    state: false,
    blockParam: undefined,
  }),
};

export function methodCatalogue(methods: Record<string, FamilyMethod>): MethodCatalogue {
  // A Map, not the object: client input such as "constructor" must not hit Object.prototype.
  const table: ReadonlyMap<string, FamilyMethod> = new Map(Object.entries(methods));
  return {
    methodFacts: (method) => {
      const spec = table.get(method);
      return spec ? KIND_FACTS[spec.kind] : UNKNOWN_FACTS;
    },
    methodLabel: (method) => (table.has(method) ? method : 'other'),
    isLatestRead: (method, params) => {
      const spec = table.get(method);
      // Unknown methods count as head-dependent: serving them from a lagging node is the riskier mistake.
      if (!spec) return true;
      if (spec.head === 'head') return true;
      if (spec.head === 'fixed') return false;
      return spec.head(params);
    },
    isImmutableRead: (method, params) => {
      const immutable = table.get(method)?.immutable;
      if (immutable === undefined) return false;
      return immutable === true || immutable(params);
    },
    immutableMethods: new Set([...table].filter(([, spec]) => spec.immutable !== undefined).map(([n]) => n)),
  };
}
