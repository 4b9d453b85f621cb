// Operators' cordons across the fleet: a cordon made or lifted here is told to the others and written
// to the store (retried at the next resync while the store is away); the others' are adopted; a resync
// brings this instance and the store in step.
import type { CordonBook, CordonChange } from '../cordons/cordon-book.js';
import type { Logger } from '../log/logger.js';
import type { FleetBackend } from './backend.js';
import type { FleetEvent, FleetMessage } from './messages.js';

type CordonMessage = Extract<FleetMessage, { kind: 'cordon' | 'uncordon' }>;

export class CordonSync {
  /** Cordon targets changed here whose write to the store has not succeeded yet. */
  private readonly unsynced = new Set<string>();
  /** The store's epoch at the last resync: a new one means it lost its state. */
  private epoch: string | undefined;

  constructor(
    private readonly backend: FleetBackend,
    private readonly cordons: CordonBook,
    private readonly logger: Logger,
    private readonly send: (event: FleetEvent) => void,
  ) {}

  localChange(change: CordonChange): void {
    this.send(
      change.kind === 'set'
        ? { kind: 'cordon', cordon: change.cordon }
        : { kind: 'uncordon', target: change.target },
    );
    const target = change.kind === 'set' ? change.cordon.target : change.target;
    this.unsynced.add(target);
    const write =
      change.kind === 'set'
        ? this.backend.saveCordon(change.cordon)
        : this.backend.deleteCordon(change.target);
    write.then(
      () => this.unsynced.delete(target),
      () =>
        this.logger.warn(
          'fleet: cordon not written to the store yet; it applies here and is written when the store returns',
          { target },
        ),
    );
  }

  /** A cordon made or lifted by another member: always applied. */
  adopt(m: CordonMessage): true {
    if (m.kind === 'cordon') this.cordons.adopt({ kind: 'set', cordon: m.cordon });
    else this.cordons.adopt({ kind: 'removed', target: m.target });
    return true;
  }

  /**
   * A store that lost its state (a new epoch: Redis restarted empty) is refilled from here; otherwise
   * this instance's pending writes go first, then it adopts the store's cordons.
   */
  async resync(): Promise<void> {
    const epoch = await this.backend.epoch();
    const wiped = this.epoch !== undefined && epoch !== this.epoch;
    this.epoch = epoch;
    const nowMs = Date.now();
    if (wiped) for (const c of this.cordons.list(nowMs)) this.unsynced.add(c.target);
    for (const target of [...this.unsynced]) {
      const cordon = this.cordons.cordonOn(target, nowMs);
      await (cordon ? this.backend.saveCordon(cordon) : this.backend.deleteCordon(target));
      this.unsynced.delete(target);
    }
    this.cordons.replaceAll(await this.backend.loadCordons());
  }
}
