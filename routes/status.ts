// GET /status: JSON state of every chain, failure domain and upstream (format in README.md, "Status JSON").
import type { ServerResponse } from 'node:http';
import type { Runtime } from '../src/runtime/runtime.js';
import { type StatusSource, statusDocument } from '../src/status/status-model.js';
import { sendJson } from './http-util.js';

export function handleStatus(
  source: StatusSource,
  runtime: Runtime,
  res: ServerResponse,
  version: string,
): void {
  sendJson(res, 200, JSON.stringify(statusDocument(runtime, source, version)), {
    'cache-control': 'no-store',
  });
}
