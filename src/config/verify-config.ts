// `chains[].verify`: verified reads (src/stages/verify/). Optional; `verify: {}` turns the policy on
// with every default. A policy the chain's upstreams cannot meet (a quorum of 2 across clouds with one
// cloud) is refused here, so `switchyard check` names the key.
import { field, readSection } from './config-fields.js';
import type { Node } from './config-values.js';
import type { FamilyName } from './family-names.js';

export type VerifyAcross = 'cloud' | 'provider' | 'region';
type VerifyOnDispute = 'majority' | 'error';

export interface VerifyConfig {
  /** Which reads are verified. */
  methods: readonly string[];
  /** Agreeing answers required. */
  quorum: number;
  /** The agreeing upstreams come from distinct domains of this kind. */
  across: VerifyAcross;
  /** majority: ask more upstreams until one answer reaches the quorum; error: fail the call. */
  onDispute: VerifyOnDispute;
  /** EVM: account and storage reads verified with eth_getProof instead of a quorum. */
  proofs: boolean;
}

const ACROSS: readonly VerifyAcross[] = ['cloud', 'provider', 'region'];
const ON_DISPUTE: readonly VerifyOnDispute[] = ['majority', 'error'];

/** Each family's state reads: what `verify.methods` (and a per-request header) verifies by default. */
const DEFAULT_VERIFY_METHODS: Readonly<Record<FamilyName, readonly string[]>> = {
  evm: [
    'eth_getBalance',
    'eth_getTransactionCount',
    'eth_getCode',
    'eth_getStorageAt',
    'eth_call',
    'eth_getTransactionReceipt',
    'eth_getBlockByNumber',
    'eth_getLogs',
  ],
  solana: ['getBalance', 'getAccountInfo', 'getMultipleAccounts', 'getTokenAccountBalance', 'getTransaction'],
  bitcoin: ['getblockhash', 'getblock', 'getblockheader', 'getrawtransaction', 'gettxout'],
  cometbft: ['block', 'abci_query', 'tx', 'commit'],
};

/** The policy `verify: {}` (or the `x-switchyard-verify` header on a chain without a block) means. */
export function defaultVerify(family: FamilyName): VerifyConfig {
  return {
    methods: DEFAULT_VERIFY_METHODS[family],
    quorum: 2,
    across: 'cloud',
    onDispute: 'majority',
    proofs: false,
  };
}

/** The domain an upstream belongs to for `across` (a region is named with its cloud). */
/** An upstream's labels, as far as `across` reads them. */
interface DomainLabels {
  cloud: string;
  region: string;
  provider: string;
}

export function verifyDomainOf(u: DomainLabels, across: VerifyAcross): string {
  if (across === 'cloud') return u.cloud;
  if (across === 'provider') return u.provider;
  return `${u.cloud}/${u.region}`;
}

export function readVerify(node: Node, family: FamilyName): VerifyConfig | undefined {
  if (node.missing) return undefined;
  const defaults = defaultVerify(family);
  return readSection<VerifyConfig>(node, {
    methods: field('methods', (n) => (n.missing ? defaults.methods : readMethods(n))),
    quorum: field('quorum', (n) => n.number(defaults.quorum, 1, 16, true)),
    across: field('across', (n) => n.oneOf(ACROSS, defaults.across)),
    onDispute: field('onDispute', (n) => n.oneOf(ON_DISPUTE, defaults.onDispute)),
    proofs: field('proofs', (n) => {
      const proofs = n.boolean(defaults.proofs);
      if (proofs && family !== 'evm') n.fail(`proofs are for EVM chains only (this chain is ${family})`);
      return proofs;
    }),
  });
}

function readMethods(node: Node): string[] {
  const methods = node.stringList([]);
  if (methods.length === 0) node.fail('expected at least one method (leave the key out for the defaults)');
  return methods;
}

/** Refuses a quorum the chain's upstreams cannot reach from distinct domains. */
export function checkVerifyReachable(
  node: Node,
  chain: { name: string; verify?: VerifyConfig | undefined; upstreams: readonly DomainLabels[] },
): void {
  const verify = chain.verify;
  if (!verify) return;
  const domains = new Set(chain.upstreams.map((u) => verifyDomainOf(u, verify.across)));
  if (domains.size >= verify.quorum) return;
  node
    .child('verify')
    .child('quorum')
    .fail(
      `a quorum of ${verify.quorum} across ${verify.across} needs ${verify.quorum} distinct ${verify.across}s; ` +
        `chain "${chain.name}" has ${domains.size} (${[...domains].join(', ')})`,
    );
}
