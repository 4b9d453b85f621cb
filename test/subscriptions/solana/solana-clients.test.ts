// Real Solana clients through Switchyard against fake agave nodes: @solana/kit's
// createSolanaRpcSubscriptions (slot, account and signature notifications, and sendAndConfirm of a
// signed transaction) and @solana/web3.js 1.x Connection (onSlotChange, onAccountChange,
// confirmTransaction), including while the upstream feeding them goes away.
import {
  address,
  appendTransactionMessageInstruction,
  createKeyPairSignerFromPrivateKeyBytes,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  devnet,
  getSignatureFromTransaction,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  signature as toSignature,
} from '@solana/kit';
import { Connection, PublicKey } from '@solana/web3.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SolanaCluster } from '../../../src/simulation/fake-solana.js';
import { postRaw } from '../../helpers/balancer.js';
import { sleep } from '../../helpers/ops.js';
import { memoTransaction } from '../../helpers/solana.js';
import { type SolanaSetup, startSolanaSetup } from '../../helpers/solana-pubsub.js';

const ACCOUNT = 'So11111111111111111111111111111111111111112';
const MEMO = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

let setup: SolanaSetup | undefined;
const aborts: AbortController[] = [];

afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await setup?.close();
  setup = undefined;
});

const cluster = (s: SolanaSetup) => s.fleet.chain as SolanaCluster;

function abortable(): AbortSignal {
  const a = new AbortController();
  aborts.push(a);
  return a.signal;
}

/** The first `n` items of an async iterable, within a bounded time. */
async function take<T>(iterable: AsyncIterable<T>, n: number, timeoutMs = 8000): Promise<T[]> {
  const out: T[] = [];
  const timer = sleep(timeoutMs).then(() => 'timeout' as const);
  const it = iterable[Symbol.asyncIterator]();
  while (out.length < n) {
    const next = await Promise.race([it.next(), timer]);
    if (next === 'timeout') throw new Error(`timed out after ${out.length} of ${n}`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('@solana/kit through Switchyard', () => {
  it('slot, account and signature notifications, also while the feeding nodes go away', async () => {
    setup = await startSolanaSetup();
    const subs = createSolanaRpcSubscriptions(devnet(`${setup.balancer.wsUrl}/sol`));
    const slots = await subs.slotNotifications().subscribe({ abortSignal: abortable() });
    const seen = await take(slots, 3);
    expect(seen[1]!.slot).toBeGreaterThan(seen[0]!.slot);
    expect(typeof seen[0]!.slot).toBe('bigint');

    const accounts = await subs
      .accountNotifications(address(ACCOUNT), { commitment: 'processed', encoding: 'base64' })
      .subscribe({ abortSignal: abortable() });
    await sleep(300);
    await setup.fleet.pubsub('aws-a').setMode('down');
    await setup.fleet.pubsub('aws-b').setMode('hang');
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 77 });
    const [note] = await take(accounts, 1);
    expect(note!.value.lamports).toBe(77n);
    expect(note!.context.slot).toBeGreaterThan(0n);

    const { signature, wire } = await memoTransaction(setup.fleet.identity, 41, 3);
    const sigs = await subs
      .signatureNotifications(toSignature(signature), { commitment: 'confirmed' })
      .subscribe({ abortSignal: abortable() });
    const body = { jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [wire, { encoding: 'base64' }] };
    // kit's iterators drop what arrives before their first next(): start reading before sending.
    const first = take(sigs, 1);
    await postRaw(`${setup.balancer.url}/sol`, JSON.stringify(body));
    const [done] = await first;
    expect(done!.value).toEqual({ err: null });
  });

  it('sendAndConfirmTransaction of a signed transaction resolves at "confirmed"', async () => {
    setup = await startSolanaSetup();
    const rpc = createSolanaRpc(devnet(`${setup.balancer.url}/sol`));
    const rpcSubscriptions = createSolanaRpcSubscriptions(devnet(`${setup.balancer.wsUrl}/sol`));
    const payer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(31));
    const { value: latest } = await rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) =>
        appendTransactionMessageInstruction({ programAddress: address(MEMO), data: new Uint8Array([5]) }, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
    // signTransactionMessageWithSigners types the lifetime loosely; this one is a blockhash lifetime.
    await sendAndConfirm(tx as Parameters<typeof sendAndConfirm>[0], {
      commitment: 'confirmed',
      abortSignal: AbortSignal.timeout(10_000),
    });
    expect(cluster(setup).processed.has(getSignatureFromTransaction(tx))).toBe(true);
  });
});

describe('@solana/web3.js 1.x Connection through Switchyard', () => {
  it('derives its WebSocket URL by adding 1 to a non-default port, unless wsEndpoint is given', async () => {
    const derived = new Connection('http://127.0.0.1:8545/sol') as unknown as { _rpcWsEndpoint: string };
    expect(derived._rpcWsEndpoint).toBe('ws://127.0.0.1:8546/sol');
    const given = new Connection('http://127.0.0.1:8545/sol', { wsEndpoint: 'ws://127.0.0.1:8545/sol' });
    expect((given as unknown as { _rpcWsEndpoint: string })._rpcWsEndpoint).toBe('ws://127.0.0.1:8545/sol');
  });

  it('onSlotChange, onAccountChange and confirmTransaction', async () => {
    setup = await startSolanaSetup();
    const conn = new Connection(`${setup.balancer.url}/sol`, {
      wsEndpoint: `${setup.balancer.wsUrl}/sol`,
      commitment: 'confirmed',
    });
    const slots: number[] = [];
    const slotId = conn.onSlotChange((info) => slots.push(info.slot));
    const lamports: number[] = [];
    const accountId = conn.onAccountChange(new PublicKey(ACCOUNT), (info) => lamports.push(info.lamports), {
      commitment: 'processed',
    });
    for (let i = 0; i < 100 && slots.length < 3; i++) await sleep(50);
    expect(slots.length).toBeGreaterThanOrEqual(3);
    setup.fleet.pubsub('gcp-a').drop();
    cluster(setup).ledger.write(ACCOUNT, cluster(setup).slot, { lamports: 5 });
    for (let i = 0; i < 100 && lamports.length < 1; i++) await sleep(50);
    expect(lamports).toEqual([5]);

    const { blockhash, lastValidBlockHeight } = await conn.getLatestBlockhash();
    const { wire, signature } = await memoTransaction(blockhash, 51, 4);
    await conn.sendRawTransaction(Buffer.from(wire, 'base64'));
    const confirmed = await conn.confirmTransaction(
      { signature, blockhash, lastValidBlockHeight },
      'confirmed',
    );
    expect(confirmed.value.err).toBeNull();
    await conn.removeSlotChangeListener(slotId);
    await conn.removeAccountChangeListener(accountId);
  });
});
