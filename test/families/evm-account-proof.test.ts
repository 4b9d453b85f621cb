// EIP-1186 proofs from a real node (anvil's eth_getProof) checked against its block's stateRoot, and
// the same proofs tampered with: a changed node, another root, a summary that disagrees with its proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { codeMatches, provenAccount, provenSlot } from '../../src/families/evm/account-proof.js';

const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const CONTRACT = '0x00000000000000000000000000000000000c0de1';
const NOBODY = '0x00000000000000000000000000000000000b0b00';
let anvil: Anvil;
let stateRoot: string;
let number: string;

async function rpc(method: string, params: unknown[]) {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

beforeAll(async () => {
  anvil = await startAnvil();
  await rpc('anvil_setCode', [CONTRACT, '0x6001600055']);
  await rpc('anvil_setStorageAt', [CONTRACT, `0x${'0'.repeat(63)}7`, `0x${'0'.repeat(62)}2a`]);
  await rpc('anvil_mine', ['0x1']);
  const block = (await rpc('eth_getBlockByNumber', ['latest', false])) as {
    stateRoot: string;
    number: string;
  };
  stateRoot = block.stateRoot;
  number = block.number;
}, 20_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('account and storage proofs', () => {
  it('proves a funded account, an absent one, a slot and code', async () => {
    const alice = await provenAccount(stateRoot, ALICE, await rpc('eth_getProof', [ALICE, [], number]));
    expect(alice.balance).toBe(BigInt((await rpc('eth_getBalance', [ALICE, number])) as string));
    const nobody = await provenAccount(stateRoot, NOBODY, await rpc('eth_getProof', [NOBODY, [], number]));
    expect(nobody.balance).toBe(0n);
    const slot = `0x${'0'.repeat(63)}7`;
    const proof = await rpc('eth_getProof', [CONTRACT, [slot], number]);
    const contract = await provenAccount(stateRoot, CONTRACT, proof);
    expect(await provenSlot(contract, '0x7', proof)).toBe(`0x${'0'.repeat(62)}2a`);
    expect(codeMatches(contract, '0x6001600055')).toBe(true);
    expect(codeMatches(contract, '0x6001600056')).toBe(false);
  });

  it('rejects a tampered node, another root and a summary that disagrees with its proof', async () => {
    const proof = (await rpc('eth_getProof', [ALICE, [], number])) as {
      accountProof: string[];
      balance: string;
    };
    const nodes = [...proof.accountProof];
    const last = nodes[nodes.length - 1]!;
    nodes[nodes.length - 1] = `${last.slice(0, -2)}${last.endsWith('00') ? '01' : '00'}`;
    await expect(provenAccount(stateRoot, ALICE, { ...proof, accountProof: nodes })).rejects.toThrow();
    await expect(provenAccount(`0x${'ab'.repeat(32)}`, ALICE, proof)).rejects.toThrow();
    await expect(provenAccount(stateRoot, ALICE, { ...proof, balance: '0x1' })).rejects.toThrow(
      /other than its proof/,
    );
  });
});
