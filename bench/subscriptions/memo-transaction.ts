// A real signed Solana transaction (a memo) built with @solana/kit, for submission tests and the bench against the
// fake Solana nodes: its wire form (base64) and its signature, which is its transaction id.
import {
  address,
  appendTransactionMessageInstruction,
  type Base64EncodedWireTransaction,
  type Blockhash,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';

const MEMO_PROGRAM = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

/** `seed` picks the payer key (32 bytes of it), `memo` the instruction data: different ones, different txs. */
export async function memoTransaction(
  blockhash: string,
  seed: number,
  memo: number,
): Promise<{ wire: Base64EncodedWireTransaction; signature: string }> {
  const payer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(seed));
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: blockhash as Blockhash, lastValidBlockHeight: 1n },
        m,
      ),
    (m) =>
      appendTransactionMessageInstruction(
        { programAddress: address(MEMO_PROGRAM), data: new Uint8Array([memo]) },
        m,
      ),
  );
  const tx = await signTransactionMessageWithSigners(message);
  return { wire: getBase64EncodedWireTransaction(tx), signature: getSignatureFromTransaction(tx) };
}
