// The transaction hash Switchyard computes from raw bytes must equal the hash nodes report: checked
// against viem's serializer and keccak for every transaction type, and for blob transactions in the
// network form (with blobs, commitments and proofs) that eth_sendRawTransaction receives.
import { concatHex, fromRlp, type Hex, keccak256, serializeTransaction, toRlp } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { transactionHash } from '../../src/families/evm/tx-hash.js';

const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
const BLOB: Hex = `0x${'00'.repeat(131_072)}`; // one 128 KiB blob: lengths that need 3-byte RLP prefixes
const COMMITMENT: Hex = `0x${'c0'.repeat(48)}`;
const PROOF: Hex = `0x${'a0'.repeat(48)}`;
const VERSIONED_HASH: Hex = `0x01${'ab'.repeat(31)}`;

const blobTx = {
  type: 'eip4844' as const,
  chainId: 1,
  nonce: 7,
  to: TO,
  gas: 21_000n,
  maxFeePerGas: 10n ** 10n,
  maxPriorityFeePerGas: 10n ** 9n,
  maxFeePerBlobGas: 10n ** 9n,
  blobVersionedHashes: [VERSIONED_HASH],
};

describe('transactionHash', () => {
  it.each([
    [
      'legacy',
      { type: 'legacy' as const, chainId: 1, nonce: 0, to: TO, value: 1n, gas: 21_000n, gasPrice: 10n ** 9n },
    ],
    [
      'EIP-2930',
      {
        type: 'eip2930' as const,
        chainId: 1,
        nonce: 1,
        to: TO,
        gas: 30_000n,
        gasPrice: 10n ** 9n,
        accessList: [],
      },
    ],
    [
      'EIP-1559 with calldata',
      {
        type: 'eip1559' as const,
        chainId: 10,
        nonce: 300,
        to: TO,
        gas: 90_000n,
        maxFeePerGas: 2n * 10n ** 9n,
        maxPriorityFeePerGas: 1n,
        data: `0x${'ff'.repeat(100)}` as Hex,
      },
    ],
  ])('%s: keccak-256 of the signed bytes', async (_name, tx) => {
    const raw = await account.signTransaction(tx);
    expect(transactionHash(raw)).toBe(keccak256(raw));
  });

  it('blob transaction in network form: the hash covers 0x03 || rlp(tx) only, as nodes compute it', async () => {
    const canonical = await account.signTransaction(blobTx);
    const fields = fromRlp(`0x${canonical.slice(4)}`);
    const network = concatHex(['0x03', toRlp([fields, [BLOB], [COMMITMENT], [PROOF]])]);
    const cellProofs = concatHex(['0x03', toRlp([fields, '0x01', [BLOB], [COMMITMENT], [PROOF, PROOF]])]);
    expect(network.length).toBeGreaterThan(262_144);
    expect(transactionHash(canonical)).toBe(keccak256(canonical));
    expect(transactionHash(network)).toBe(keccak256(canonical));
    expect(transactionHash(cellProofs)).toBe(keccak256(canonical)); // EIP-7594 wrapper version 1
  });

  it('matches viem’s own serializer for a blob transaction with sidecars', async () => {
    const signature = { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, yParity: 1 } as const;
    const canonical = serializeTransaction(blobTx, signature);
    const wrapped = serializeTransaction(
      { ...blobTx, sidecars: [{ blob: BLOB, commitment: COMMITMENT, proof: PROOF }] },
      signature,
    );
    expect(wrapped).not.toBe(canonical);
    expect(transactionHash(wrapped)).toBe(keccak256(canonical));
  });

  it.each([undefined, 42, '', '0x', '0x1', '0xzz', 'deadbeef', '0x0g'])('rejects %j', (raw) => {
    expect(transactionHash(raw)).toBeUndefined();
  });

  it('hashes bytes it cannot parse as RLP as they are (the node will refuse them anyway)', () => {
    expect(transactionHash('0x03ff')).toBe(keccak256('0x03ff'));
    expect(transactionHash('0x03c5c4')).toBe(keccak256('0x03c5c4'));
  });
});
