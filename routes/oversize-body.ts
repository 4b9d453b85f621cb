// Refusing a request body over the cap so that the client can read the refusal. A socket closed with
// unread bytes in its receive buffer is reset (RST), and a client still sending its body then sees a
// broken pipe instead of the 413 it was sent. So the answer is written at once, the rest of the body
// is read and thrown away (bounded in bytes and in time), and only then is the connection closed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { catalogueError, ERRORS } from '../src/rpc/errors.js';
import { errorResponse } from '../src/rpc/jsonrpc.js';
import { legacyCatalogueBody } from './chain-errors.js';

/** Discard at most this much of an over-cap body (or 4 × the cap, whichever is smaller) before closing. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_FACTOR = 4;
/** A client that trickles its body does not hold the connection longer than this. */
const MAX_DRAIN_MS = 5000;

export interface DrainLimits {
  bytes: number;
  ms: number;
}

export function drainLimits(maxBodyBytes: number): DrainLimits {
  return { bytes: Math.min(MAX_DRAIN_BYTES, DRAIN_FACTOR * maxBodyBytes), ms: MAX_DRAIN_MS };
}

/**
 * Answers 413 `BODY_TOO_LARGE` (with `connection: close`) before the body has been read, then drains
 * the body within `limits`. The response is ended only once the body has been read or a limit is hit:
 * ending it is what makes node:http close the socket.
 */
export function refuseOversizeBody(
  req: IncomingMessage,
  res: ServerResponse,
  detail: string,
  limits: DrainLimits,
  /** A Bitcoin chain: the refusal in Bitcoin Core's 1.0 envelope (`chain-errors.ts`). */
  legacy = false,
): void {
  const body = legacy
    ? legacyCatalogueBody('BODY_TOO_LARGE', detail)
    : errorResponse('null', catalogueError('BODY_TOO_LARGE', detail));
  res.writeHead(ERRORS.BODY_TOO_LARGE.httpStatus, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  // The whole answer goes out now (its length is declared): the client can read it while it still sends.
  res.write(body);
  if (req.complete) {
    res.end();
    return;
  }
  let drained = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    req.off('data', onData);
    res.end();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    // Past the bound the socket is closed with data unread: such a client is not owed its answer.
    if (drained > limits.bytes) {
      close();
      req.socket.destroy();
    }
  };
  const timer = setTimeout(() => {
    close();
    req.socket.destroy();
  }, limits.ms);
  timer.unref();
  req.on('data', onData);
  req.once('end', close);
  req.once('error', close);
  req.once('close', close);
  req.resume();
}
