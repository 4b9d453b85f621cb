// The fleet's served head per chain: the highest block any member showed a client, so eth_blockNumber
// never goes backwards for a client whose calls land on two replicas. Each member tells the fleet when
// its served head rises and raises its own to what the others showed.
import type { Runtime } from '../runtime/runtime.js';
import type { FleetBackend } from './backend.js';
import type { FleetEvent } from './messages.js';

/** eth_blockNumber waits at most this long for the fleet's served head (Redis), then answers its own. */
const SHARED_HEAD_WAIT_MS = 25;

export class ServedHeads {
  /** Highest served head per chain the fleet was told of (or told us). */
  private readonly knownHeads = new Map<string, number>();

  constructor(
    private readonly backend: FleetBackend,
    private readonly runtime: () => Runtime | undefined,
    private readonly send: (event: FleetEvent) => void,
  ) {}

  /**
   * eth_blockNumber through the fleet: the store's served head, raised to ours first. Bounded: when
   * Redis is slow or gone the local head answers (the client sees no error, the guarantee is local).
   */
  private readonly fleetHead = async (chain: string, head: number): Promise<number> => {
    if (!this.backend.connected) return head;
    let timer: NodeJS.Timeout | undefined;
    const local = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(head), SHARED_HEAD_WAIT_MS);
    });
    const fleet = this.backend.raiseServedHead(chain, head).catch(() => head);
    const value = await Promise.race([fleet, local]);
    clearTimeout(timer);
    return value;
  };

  /** Compares each chain's served head with what the fleet was last told, and tells it of a rise. */
  watch(): void {
    const runtime = this.runtime();
    if (!runtime) return;
    for (const chain of runtime.chains.values()) {
      chain.sharedHead ??= this.fleetHead;
      const known = this.knownHeads.get(chain.name) ?? 0;
      if (chain.servedHead <= known) continue;
      this.knownHeads.set(chain.name, chain.servedHead);
      this.send({ kind: 'served_head', chain: chain.name, head: chain.servedHead });
      this.backend.raiseServedHead(chain.name, chain.servedHead).then(
        (fleetHead) => this.adopt(chain.name, fleetHead),
        () => {},
      );
    }
  }

  /** Raises the chain's served head to `head`; false when it was not below it (or the chain is unknown). */
  adopt(chainName: string, head: number): boolean {
    this.knownHeads.set(chainName, Math.max(this.knownHeads.get(chainName) ?? 0, head));
    const chain = this.runtime()?.chains.get(chainName);
    if (!chain || head <= chain.servedHead) return false;
    chain.servedHead = head;
    return true;
  }

  /** Served heads of the store and of each chain here meet at the highest. */
  async resync(runtime: Runtime): Promise<void> {
    for (const chain of runtime.chains.values()) {
      this.adopt(chain.name, await this.backend.raiseServedHead(chain.name, chain.servedHead));
    }
  }
}
