// The one fake upstream every overhead run forwards to: a fleet provider with no added latency, in
// its own process (pinned by the parent) so wrk and the proxies reach it over a real socket.
// Prints {"msg":"listening","port":N}; exits on SIGTERM.
import { ChainSim, startFakeProvider } from '../../src/simulation/index.js';

const chain = new ChainSim({ chainId: 1, startBlock: 1_000_000, blockTimeMs: 1000 });
chain.start();
const provider = await startFakeProvider({ name: 'upstream', chain, latencyMs: 0 });
console.log(JSON.stringify({ msg: 'listening', port: provider.port }));
process.on('SIGTERM', () => {
  chain.stop();
  void provider.close().then(() => process.exit(0));
});
