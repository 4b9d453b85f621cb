// The cordons in force on this instance: operators' decisions to take a failure domain or one upstream
// out of traffic for a while. Selection treats a cordoned upstream as unhealthy, so the panic rule still
// uses it when nothing else is left. The book outlives reloads; fleet mode keeps it in step with Redis.
import type { Cordon } from './cordon-request.js';

/** What the routing core asks: is this upstream (its name and failure-domain keys) cordoned now? */
export interface CordonView {
  cordonOf(upstream: { name: string; domains: readonly string[] }, nowMs: number): Cordon | undefined;
  /** The cordon on exactly this target (a failure-domain key or `upstream:<name>`). */
  cordonOn(target: string, nowMs: number): Cordon | undefined;
}

export const NO_CORDONS: CordonView = { cordonOf: () => undefined, cordonOn: () => undefined };

export type CordonChange = { kind: 'set'; cordon: Cordon } | { kind: 'removed'; target: string };

export class CordonBook implements CordonView {
  private readonly byTarget = new Map<string, Cordon>();
  /** Told of every change made here (not of changes adopted from the fleet). */
  onLocalChange: (change: CordonChange) => void = () => {};

  cordonOf(upstream: { name: string; domains: readonly string[] }, nowMs: number): Cordon | undefined {
    if (this.byTarget.size === 0) return undefined;
    const own = this.live(`upstream:${upstream.name}`, nowMs);
    if (own) return own;
    for (const key of upstream.domains) {
      const found = this.live(key, nowMs);
      if (found) return found;
    }
    return undefined;
  }

  cordonOn(target: string, nowMs: number): Cordon | undefined {
    return this.byTarget.size === 0 ? undefined : this.live(target, nowMs);
  }

  /** Cordons in force, oldest first. */
  list(nowMs: number): Cordon[] {
    this.dropExpired(nowMs);
    return [...this.byTarget.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  set(cordon: Cordon): void {
    this.byTarget.set(cordon.target, cordon);
    this.onLocalChange({ kind: 'set', cordon });
  }

  /** Returns false when there was no cordon on the target. */
  remove(target: string, nowMs: number): boolean {
    const had = this.live(target, nowMs) !== undefined;
    this.byTarget.delete(target);
    if (had) this.onLocalChange({ kind: 'removed', target });
    return had;
  }

  /** A cordon made or lifted by another fleet member. */
  adopt(change: CordonChange): void {
    if (change.kind === 'set') this.byTarget.set(change.cordon.target, change.cordon);
    else this.byTarget.delete(change.target);
  }

  /** The fleet's full list (read from the store): replaces what this instance knew. */
  replaceAll(cordons: readonly Cordon[]): void {
    this.byTarget.clear();
    for (const c of cordons) this.byTarget.set(c.target, c);
  }

  private live(target: string, nowMs: number): Cordon | undefined {
    const c = this.byTarget.get(target);
    if (c === undefined || c.expiresAtMs > nowMs) return c;
    this.byTarget.delete(target);
    return undefined;
  }

  private dropExpired(nowMs: number): void {
    for (const c of [...this.byTarget.values()]) this.live(c.target, nowMs);
  }
}
