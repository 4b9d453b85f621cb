// The JSON-RPC 2.0 envelope for the family fakes (Solana, CometBFT): one answer per call with an id,
// batches as arrays, HTTP 200 for everything the node itself answers.
import type { RpcOutcome, WireAnswer, WireAnswerer } from './rpc-envelope.js';

export type FamilyCall = (method: string, params: unknown) => RpcOutcome;

function idOf(item: unknown): string {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? JSON.stringify(id) : 'null';
}

export function envelope2(idJson: string, outcome: RpcOutcome): string {
  return 'error' in outcome
    ? `{"jsonrpc":"2.0","error":${JSON.stringify(outcome.error)},"id":${idJson}}`
    : `{"jsonrpc":"2.0","result":${JSON.stringify(outcome.result) ?? 'null'},"id":${idJson}}`;
}

function one(item: unknown, call: FamilyCall): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return envelope2('null', { error: { code: -32600, message: 'Invalid request' } });
  }
  const { method, params } = item as { method?: unknown; params?: unknown };
  if (typeof method !== 'string')
    return envelope2(idOf(item), { error: { code: -32600, message: 'Invalid request' } });
  const outcome = call(method, params ?? []);
  return 'id' in item ? envelope2(idOf(item), outcome) : undefined;
}

export function jsonRpc2Wire(call: FamilyCall): WireAnswerer {
  return (parsed: unknown): WireAnswer => {
    if (!Array.isArray(parsed)) return { status: 200, body: one(parsed, call) ?? '' };
    const parts = parsed.map((item) => one(item, call)).filter((p): p is string => p !== undefined);
    return { status: 200, body: parts.length === 0 ? '' : `[${parts.join(',')}]` };
  };
}

/** A clock-driven or manually advanced height shared by every node of a family fleet. */
export class FamilyClock {
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(height: number) => void> = [];

  constructor(
    public height: number,
    private readonly intervalMs: number | undefined,
  ) {}

  /** Moves the head n steps (slots, blocks) and tells listeners after each one. */
  advance(n = 1): number {
    for (let i = 0; i < n; i++) {
      this.height++;
      for (const listener of this.listeners) listener(this.height);
    }
    return this.height;
  }

  onAdvance(listener: (height: number) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.intervalMs === undefined || this.timer) return;
    this.timer = setInterval(() => this.advance(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
