// eth_subscribe is answered once the chain's feed has its first block: a block made right after the
// client has its id is news, even when the feed's first poll is still on its way to the node.
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Anvil, startAnvil } from '../../bench/anvil/anvil.js';
import { type Front, startFront, waitFor } from '../../bench/anvil/chain-front.js';
import { postRaw, startBalancer, type TestBalancer, testConfig } from '../helpers/balancer.js';

let anvil: Anvil | undefined;
let front: Front | undefined;
let balancer: TestBalancer | undefined;
let ws: WebSocket | undefined;

afterEach(async () => {
  ws?.terminate();
  await balancer?.close();
  await front?.close();
  await anvil?.stop();
});

it('a block made right after the subscription id arrives is notified (the feed started first)', async () => {
  anvil = await startAnvil(['--chain-id', '31337']);
  // Block reads (the feed's polls) reach the node 300 ms late: the node answers with what it has then.
  front = await startFront(anvil.url, (call) =>
    call.method === 'eth_getBlockByNumber' ? { kind: 'forward', delayMs: 300 } : undefined,
  );
  balancer = await startBalancer(
    testConfig([{ name: 'polled', url: front.url }], { subscriptions: { pollInterval: '50ms' } }, 31337),
  );
  ws = new WebSocket(`${balancer.wsUrl}/ethereum`);
  const heads: number[] = [];
  let id: string | undefined;
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as {
      id?: number;
      result?: string;
      params?: { result: { number: string } };
    };
    if (m.id === 1) id = m.result;
    else if (m.params) heads.push(Number.parseInt(m.params.result.number, 16));
  });
  await new Promise((resolve, reject) => ws!.once('open', resolve).once('error', reject));
  ws.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}');
  await waitFor(() => id !== undefined, 5000, 'the subscription id');
  const mined = await postRaw(anvil.url, '{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}');
  expect(mined.status).toBe(200);
  const head = Number.parseInt(
    (
      JSON.parse((await postRaw(anvil.url, '{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}')).text) as {
        result: string;
      }
    ).result,
    16,
  );
  await waitFor(() => heads.includes(head), 5000, `block ${head}`);
  expect(heads).toEqual([head]);
});
