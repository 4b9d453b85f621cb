// Members of Bitcoin Core's verbose answers that count from each node's own tip: `confirmations`
// (getblock, getblockheader, getrawtransaction verbose, gettxout), `nextblockhash` (absent on the
// node's tip block) and gettxout's `bestblock`. Honest nodes one block apart differ in them and in
// nothing else, so a comparison of answers leaves them out.
export const BITCOIN_TIP_RELATIVE: ReadonlySet<string> = new Set([
  'confirmations',
  'nextblockhash',
  'bestblock',
]);
