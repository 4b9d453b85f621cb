// A block's hash recomputed from its own fields: keccak256 of the RLP header, whatever fork it is from
// (London's baseFeePerGas, Shanghai's withdrawalsRoot, Cancun's blob fields and parentBeaconBlockRoot,
// Prague's requestsHash). @ethereumjs/block encodes the header; the fork is read from the fields present.
import { createBlockHeader, createBlockHeaderFromRPC } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';

type Common = ReturnType<typeof createBlockHeader>['common'];

/** The newest fork whose header fields the block carries. */
function forkOf(block: Record<string, unknown>): string {
  if (block.requestsHash !== undefined) return 'prague';
  if (block.parentBeaconBlockRoot !== undefined) return 'cancun';
  if (block.withdrawalsRoot !== undefined) return 'shanghai';
  if (block.baseFeePerGas !== undefined) return 'london';
  return 'berlin';
}

const commons = new Map<string, Common>();

function commonFor(fork: string): Common {
  let common = commons.get(fork);
  if (!common) {
    common = createBlockHeader({}).common.copy();
    common.setHardfork(fork);
    commons.set(fork, common);
  }
  return common;
}

/** The hash of the header the block's fields describe; undefined when they do not make a header. */
function recomputedBlockHash(block: unknown): string | undefined {
  if (typeof block !== 'object' || block === null) return undefined;
  const fields = block as Record<string, unknown>;
  try {
    const header = createBlockHeaderFromRPC(fields as never, {
      common: commonFor(forkOf(fields)),
      skipConsensusFormatValidation: true,
    });
    return bytesToHex(header.hash());
  } catch {
    return undefined;
  }
}

/** The block's own `hash` is the hash of its fields. */
export function blockHashHolds(block: unknown): boolean {
  const claimed = (block as { hash?: unknown } | null)?.hash;
  return typeof claimed === 'string' && recomputedBlockHash(block) === claimed.toLowerCase();
}
