// The messages between cluster workers and the primary (node:cluster IPC) when the workers share state
// through the primary instead of Redis. Marked with `switchyardFleet` so other IPC traffic is left alone.

export type StoreOp = 'epoch' | 'loadCordons' | 'saveCordon' | 'deleteCordon' | 'raiseServedHead' | 'lease';

export type WorkerToPrimary =
  | { switchyardFleet: 'publish'; text: string }
  | { switchyardFleet: 'call'; id: number; op: StoreOp; args: unknown[] }
  /** The worker serves and handles its signals (SIGTERM before that would kill it undrained). */
  | { switchyardFleet: 'ready' };

export type PrimaryToWorker =
  | { switchyardFleet: 'message'; text: string }
  | { switchyardFleet: 'reply'; id: number; ok: true; value: unknown }
  | { switchyardFleet: 'reply'; id: number; ok: false; error: string };

export function isFleetIpc(m: unknown): m is { switchyardFleet: string } {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { switchyardFleet?: unknown }).switchyardFleet === 'string'
  );
}
