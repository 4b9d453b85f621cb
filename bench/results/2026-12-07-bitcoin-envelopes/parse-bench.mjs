// Parse cost of a 2.0 request, before (29b44a2) and after the envelope change: CPU ns per parse,
// 21 alternating rounds of 200k parses each (alternation cancels drift on a busy machine), median.
const before = await import('/tmp/bitcoin-before/dist/src/rpc/jsonrpc.js');
const after = await import('/work/wt-bitcoin/dist/src/rpc/jsonrpc.js');
const bodies = [
  '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
  '{"jsonrpc":"2.0","id":"abc","method":"eth_getBalance","params":["0x00000000219ab540356cbb839cbe05303d7705fa","latest"]}',
  '{"jsonrpc":"2.0","id":7,"method":"eth_call","params":[{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","data":"0x70a08231000000000000000000000000"},"latest"]}',
];
const N = 200_000;
let sink = 0;
function round(mod) {
  const t = process.cpuUsage();
  for (let i = 0; i < N; i++) sink += mod.parseRequestBody(bodies[i % 3]).kind.length;
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / N;
}
for (let i = 0; i < 3; i++) { round(before); round(after); }
const a = [], b = [];
for (let i = 0; i < 21; i++) { if (i % 2) { b.push(round(before)); a.push(round(after)); } else { a.push(round(after)); b.push(round(before)); } }
const med = (x) => x.slice().sort((p, q) => p - q)[x.length >> 1];
console.log(JSON.stringify({ nsPerParseBefore: +med(b).toFixed(1), nsPerParseAfter: +med(a).toFixed(1), ratio: +(med(a) / med(b)).toFixed(3), sink: sink > 0 }));
