// How a fake provider answers a received body under the active leaf fault, over HTTP and over an open
// WebSocket: hangs, resets, error statuses, garbage, throttling, truncation, or its normal answer late.

import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { LeafFault } from './faults.js';
import { errorJson, replyToEach, type WireAnswerer } from './rpc-envelope.js';
import type { SubscriptionCall } from './ws-endpoint.js';

const GARBAGE_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';
const ALCHEMY_429 =
  'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can ' +
  'safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput';

/** What the fault answers need from their provider. */
export interface Answering {
  /** The provider's reply text to a parsed body, with its chain view under this leaf fault. */
  dispatch(parsed: unknown, leaf: LeafFault, subscriptions?: SubscriptionCall): string;
  /** Delay before an answer under this leaf fault (latency, plus slow's extra). */
  delayMs(leaf: LeafFault): number;
  /** Replaces the EVM answers over HTTP (FakeProviderOptions.wire). */
  readonly wire: WireAnswerer | undefined;
}

/** Answers one HTTP request body (already parsed, or parseFailed) under `leaf`. */
export function answerHttp(
  provider: Answering,
  parsed: unknown,
  parseFailed: boolean,
  leaf: LeafFault,
  res: ServerResponse,
): void {
  switch (leaf.kind) {
    case 'hang':
      return; // the socket stays open until the client gives up or close() destroys it
    case 'reset':
      later(provider.delayMs(leaf), () => res.socket?.resetAndDestroy());
      return;
    case 'http_status': {
      const text = leaf.body ?? `${leaf.status} ${STATUS_CODES[leaf.status] ?? ''}`;
      send(provider, res, leaf.status, text, leaf.contentType ?? 'text/plain', leaf);
      return;
    }
    case 'garbage':
      send(provider, res, 200, GARBAGE_BODY, 'application/json', leaf);
      return;
    case 'throttle': {
      const style = leaf.style ?? 'http429';
      const [code, message] = style === 'rpc-32005' ? [-32005, 'limit exceeded'] : [429, ALCHEMY_429];
      const data = leaf.retryAfterSec === undefined ? undefined : { backoff_seconds: leaf.retryAfterSec };
      const text = replyToEach(parsed, parseFailed, (idJson) => errorJson(idJson, code, message, data));
      const retryAfter = leaf.retryAfterSec ?? (style === 'http429' ? 1 : undefined);
      send(provider, res, style === 'http429' ? 429 : 200, text, 'application/json', leaf, retryAfter);
      return;
    }
    default: {
      const wired = provider.wire && !parseFailed ? provider.wire(parsed) : undefined;
      const status = wired?.status ?? 200;
      const text =
        wired?.body ??
        (parseFailed ? errorJson('null', -32700, 'parse error') : provider.dispatch(parsed, leaf));
      if (leaf.kind === 'truncated') {
        const bytes = Buffer.from(text);
        send(provider, res, status, bytes.subarray(0, bytes.length >> 1), 'application/json', leaf);
        return;
      }
      send(provider, res, status, text, 'application/json', leaf);
    }
  }
}

/**
 * The frame answering one WebSocket frame under a fault. HTTP-only faults (http_status) do not
 * change answers on an open socket; throttle answers JSON-RPC errors, garbage and truncated send a
 * broken frame, hang/refuse/reset are handled by the endpoint before this.
 */
export function answerWsFrame(
  provider: Answering,
  text: string,
  leaf: LeafFault,
  subscriptions: SubscriptionCall,
): string | undefined {
  let parsed: unknown;
  let parseFailed = false;
  try {
    parsed = JSON.parse(text);
  } catch {
    parseFailed = true;
  }
  switch (leaf.kind) {
    case 'garbage':
      return GARBAGE_BODY;
    case 'throttle': {
      const [code, message] = leaf.style === 'rpc-32005' ? [-32005, 'limit exceeded'] : [429, ALCHEMY_429];
      return replyToEach(parsed, parseFailed, (idJson) => errorJson(idJson, code, message));
    }
    default: {
      const full = parseFailed
        ? errorJson('null', -32700, 'parse error')
        : provider.dispatch(parsed, leaf, subscriptions);
      return leaf.kind === 'truncated' ? full.slice(0, full.length >> 1) : full;
    }
  }
}

function send(
  provider: Answering,
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string,
  leaf: LeafFault,
  retryAfterSec?: number,
): void {
  later(provider.delayMs(leaf), () => {
    if (res.destroyed) return;
    const headers: Record<string, string | number> = {
      'content-type': contentType,
      'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    };
    if (retryAfterSec !== undefined) headers['retry-after'] = String(retryAfterSec);
    res.writeHead(status, headers);
    res.end(body);
  });
}

function later(ms: number, fn: () => void): void {
  if (ms > 0) setTimeout(fn, ms);
  else fn();
}
