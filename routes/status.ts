// GET /status: JSON state of every chain, failure domain and upstream (documented in README).
import type { ServerResponse } from 'node:http';
import { sendJson } from '../src/http-util.js';
import type { Runtime } from '../src/runtime.js';
import { statusDocument } from '../src/status-model.js';

export function handleStatus(
  runtime: Runtime,
  res: ServerResponse,
  startedAtMs: number,
  version: string,
): void {
  sendJson(res, 200, JSON.stringify(statusDocument(runtime, startedAtMs, version)));
}
